package dev.tape.value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The literal syntax of conformance/README.md. */
class ValueLiteralTest {
    @ParameterizedTest
    @ValueSource(strings = {"unit", "bool:true", "bool:false", "i64:-5", "i64:-9223372036854775808",
        "u64:18446744073709551615", "f64:0x3ff8000000000000", "f64:0xfff8000000000001", "dec:-1.50", "dec:7",
        "dec:0.001", "str:\"h\u00e9llo\"", "str:\"a\\\"b\\\\c\\n\"", "bytes:00ff10", "bytes:", "func:3",
        "obj:7/18446744073709551615", "closure:2(tuple(i64:100))",
        "tuple(tuple(i64:7, bool:true, i64:9), struct#0(i64:7, bool:true), array#0(i64:7, i64:9, i64:7))",
        "tuple()"})
    void formatIsTheInverseOfParse(String literal) {
        assertEquals(literal, ValueLiteral.format(ValueLiteral.parse(literal)));
    }

    @Test
    void parsesToTheRightValues() {
        assertEquals(Value.u64(-1), ValueLiteral.parse("u64:18446744073709551615"));
        assertEquals(Value.f64(1.5), ValueLiteral.parse("f64:1.5"));
        assertEquals(Value.decimal(-150, 2), ValueLiteral.parse("dec:-1.50"));
        assertEquals(Value.decimal(-1234, 3), ValueLiteral.parse("dec:-1.234"));
        assertEquals(Value.str("h\u00e9"), ValueLiteral.parse("str:\"h\\u00e9\""));
        assertEquals(Value.tuple(List.of(Value.i64(1), Value.bool(true))), ValueLiteral.parse("tuple(i64:1, bool:true)"));
        assertEquals(Double.doubleToRawLongBits(-0.0), ((Value.F64) ValueLiteral.parse("f64:-0.0")).bits());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "i64:", "i64:abc", "i64:9223372036854775808", "u64:-1", "bool:maybe", "f64:0x",
        "bytes:abc", "str:\"unterminated", "tuple(i64:1", "closure:1(i64:2)", "dec:1.2.3", "nonsense", "i64:1 extra"})
    void rejectsMalformedLiterals(String literal) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueLiteral.parse(literal));
        assertEquals(true, e.getMessage().startsWith("bad value literal"), e.getMessage());
    }
}
