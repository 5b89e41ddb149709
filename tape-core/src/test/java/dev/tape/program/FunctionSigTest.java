package dev.tape.program;

import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FunctionSigTest {
    @Test
    void emptyNameListsMeanNoNames() {
        FunctionSig s = new FunctionSig(List.of(), List.of(), List.of(), List.of());
        assertNull(s.argNames());
        assertNull(s.retNames());
        assertEquals(FunctionSig.of(List.of(), List.of()), s);
    }

    @Test
    void namesMustMatchTheTypes() {
        assertThrows(IllegalArgumentException.class,
                () -> new FunctionSig(List.of(ValueType.I64), List.of(), List.of(), null));
        assertThrows(IllegalArgumentException.class,
                () -> new FunctionSig(List.of(), null, List.of(), List.of(1)));
    }

    @Test
    void hasNamesFlagWithNoValuesReEncodesAsNoNames() throws DecodeException {
        // has_arg_names = 1 and has_ret_names = 1 with no values: the reference reads "no names"
        // and writes both flags as 0 (notes/container-format.md section 1.6, function_sigs).
        byte[] in = TapeBytes.minimal(TapeBytes.SYMBOLS, TapeBytes.CONSTS, TapeBytes.TYPES, TapeBytes.BLOBS,
                TapeBytes.SPANS, TapeBytes.FUNCS, "01 00 01 00 01", TapeBytes.HOSTS);
        Program p = ProgramDecoder.decode(in);
        assertNull(p.functions().get(0).sig().argNames());
        assertNull(p.functions().get(0).sig().retNames());
        assertEquals(TapeBytes.hex(TapeBytes.minimal()), TapeBytes.hex(ProgramEncoder.encode(p)));
    }

    @Test
    void namesAreWrittenWhenPresent() throws DecodeException {
        byte[] in = TapeBytes.minimal("02 00 01 61", TapeBytes.CONSTS, TapeBytes.TYPES, TapeBytes.BLOBS,
                TapeBytes.SPANS, "01 01 00 02 00 00", "01 01 02 01 01 00 00", TapeBytes.HOSTS);
        Program p = ProgramDecoder.decode(in);
        assertEquals(List.of(1), p.functions().get(0).sig().argNames());
        assertEquals(TapeBytes.hex(in), TapeBytes.hex(ProgramEncoder.encode(p)));
    }
}
