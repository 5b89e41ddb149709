package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on the thirteenth audit's shape keys: a shape is its code, instruction starts, counts and
 * result passing, and its register types, but the digest that keys it covered only the first ones.
 * Functions of one code whose registers differ in type only (an argument of another host object type)
 * are distinct shapes with one digest, so one hash (the order that replaced the digest compares
 * register types too): every compile compared its code, up to 8,192
 * ints, with every earlier such shape's, as before the audit.
 */
class AttackShapeTypesTest {
    private static final int COUNT = 200;

    @Test
    void functionsOfOneCodeWithDistinctRegisterTypesHaveDistinctShapeKeys() throws Exception {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < COUNT; k++) {
            s.append("func f").append(k).append("(x: obj<").append(k).append(">, y: i64) -> (i64) {\n")
                    .append("    i64.add r2, r2, r2\n    ret r0, [r2]\n}\n");
        }
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(s.toString(), "types.tasm")), Host.NONE);
        Set<String> codes = new HashSet<>();
        Set<String> types = new HashSet<>();
        for (int f = 0; f < COUNT; f++) {
            codes.add(Arrays.toString(vm.funcs[f].code()) + Arrays.toString(vm.funcs[f].pcOf()));
            types.add(String.valueOf(vm.funcs[f].regType(1)));
        }
        // the premise: one code, distinct register types
        assertEquals(1, codes.size());
        assertEquals(COUNT, types.size());
        AuditShapeHashTest.assertShapesOrdered(vm, COUNT);
    }
}
