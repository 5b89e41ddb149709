package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.program.CallSig;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ValueType#hashCode()} is fixed ({@code 31 x kind + Long.hashCode(hostType)}), so a file
 * can name many distinct obj types of one hash: {@code obj<k x 2^32 + k>} all hash to 11 x 31.
 * The verifier's hash maps keyed by value types (signature keys, a function's obj type ids, the
 * register-type arrays shared between functions) then searched all the colliding keys on every
 * look-up, since neither a type nor a list of them is ordered: 40,000 call signatures (440 KB)
 * took 244 s to verify, a host call of 16,000 such results (176 KB) 32 s, 4,000 functions of
 * 1,000 registers whose last register holds such a type (226 KB) 97 s (8,000 of 200 registers,
 * as here: over 100 s). Their keys are ordered now ({@link TypesKey}), so a look-up among
 * colliding keys costs a logarithm of them. Two tests count that work for {@link TypesKey}, the
 * key of the signature and register-type maps: the elements the keys' compares and equality tests
 * read, in a {@link HashMap} used as the verifier uses it, must stay within {@code 48 len n log2 n}
 * (a search of all colliding keys reads about {@code 2 len n^2}, and is stopped as soon as it
 * passes the bound). A function's obj type ids are keyed by the host type id ({@code
 * TypeChecker}'s {@code ObjKey}, hashed as a {@code Long} and ordered). The other tests verify such
 * programs whole and check what the verifier made of them, counting the elements the keys'
 * compares and equality tests read in the whole verify ({@link TypesKey#probe}) against the same
 * bound: 40,001 call signatures and 8,000 functions' register types ({@link TypesKey}s), measured
 * about {@code 6.3 len n log2 n} (4.0 million reads and 132 million), and a host call of 30,000
 * colliding results (the obj type ids, one element a key): 5.5 million reads, about
 * {@code 12 n log2 n} (the checker looks each result type up in more than one pass). A
 * {@code compareTo} that returns 0 fails each at the bound. No timed assertion: the machine's
 * load is not the code's cost.
 */
class TypeHashCollisionTest {
    /** obj types that all have one hash code */
    private static ValueType colliding(long k) {
        return ValueType.obj((k << 32) | k);
    }

    /**
     * A list of value types that counts the elements read from it ({@link #get}, which
     * {@link AbstractList}'s iteration and {@code equals} use too; its hash code, taken once when a
     * key is made, reads none) into a counter its keys share, and fails the test as soon as the
     * count passes the bound: {@code reads[0]} read so far, {@code reads[1]} the bound.
     */
    private static final class Counting extends AbstractList<ValueType> {
        private final ValueType[] elems;
        private final long[] reads;

        Counting(ValueType[] elems, long[] reads) {
            this.elems = elems;
            this.reads = reads;
        }

        @Override
        public ValueType get(int i) {
            if (++reads[0] > reads[1]) {
                throw new AssertionError("more than " + reads[1] + " elements read: the search among colliding"
                        + " keys is not a logarithm of them");
            }
            return elems[i];
        }

        @Override
        public int size() {
            return elems.length;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(elems);
        }
    }

    /**
     * {@code n} distinct keys of {@code len} types each, all of one hash code (every type but the
     * last {@code i64}, the last a {@linkplain #colliding colliding} obj type), each put in a map
     * as {@link Verifier}'s signature keys are ({@code computeIfAbsent}), then each looked up as
     * {@link Lowerer}'s register-type arrays are ({@code get}, with an equal key of its own). The
     * elements the map's compares and equality tests read (up to {@code len} from each key they
     * meet) must be at most {@code 48 len n log2 n}: 16 were measured (a tree of the keys is up to
     * {@code 2 log2 n} deep, two operations per key, and the map builds its tree again as it
     * grows), 10.3 million reads for 40,000 keys of 1 and 152 million for 4,000 of 200, three
     * times that is allowed. A search of all colliding keys (unordered keys) reads about
     * {@code 2 len n^2}: 3.2 billion and 6.4 billion, 100 and 14 times the bound.
     */
    private static void orderedKeysCostALogarithm(int n, int len) {
        int log = 32 - Integer.numberOfLeadingZeros(n);
        long[] reads = {0, 48L * len * n * log};
        Map<TypesKey, Integer> keys = new HashMap<>();
        List<TypesKey> again = new ArrayList<>();
        int hash = 0;
        for (int k = 1; k <= n; k++) {
            ValueType[] types = new ValueType[len];
            Arrays.fill(types, ValueType.I64);
            types[len - 1] = colliding(k);
            TypesKey key = new TypesKey(new Counting(types, reads), List.of());
            if (k == 1) {
                hash = key.hashCode();
            }
            assertEquals(hash, key.hashCode());
            assertEquals(k - 1, keys.computeIfAbsent(key, x -> keys.size()));
            again.add(new TypesKey(new Counting(types.clone(), reads), List.of()));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(i, keys.get(again.get(i)));
        }
        assertEquals(n, keys.size());
        assertTrue(reads[0] <= reads[1], reads[0] + " reads");
    }

    /** 40,000 signatures of one colliding type each, as {@link #manyCallSignaturesOfCollidingTypes} has */
    @Test
    void collidingSignatureKeysCostALogarithmEach() {
        orderedKeysCostALogarithm(40_000, 1);
    }

    /** 4,000 register-type arrays of 200 types, the last colliding, as {@link #manyFunctionsWhoseRegisterTypesCollide} has */
    @Test
    void collidingRegisterTypeKeysCostALogarithmEach() {
        orderedKeysCostALogarithm(4_000, 200);
    }

    /**
     * Verifies {@code p} whole while counting, on this thread, the elements {@link TypesKey}'s
     * compares and equality tests read ({@link TypesKey#probe}: the verifier's signature keys and
     * the {@link Lowerer}'s register-type arrays), failing as soon as the count passes
     * {@code 48 len n log2 n} for {@code n} colliding keys of at most {@code len} types (as
     * {@link #orderedKeysCostALogarithm}); and checks that the count reached {@code (n - 1) len}, so
     * that the keys did meet in the maps (a verifier that stopped keying them so would pass
     * unguarded otherwise).
     *
     * @return the verified program
     */
    private static VerifiedProgram verifyCounted(Program p, int n, int len) {
        int log = 32 - Integer.numberOfLeadingZeros(n);
        long bound = 48L * len * n * log;
        long[] reads = {0};
        Thread me = Thread.currentThread();
        TypesKey.probe = k -> {
            if (Thread.currentThread() == me && (reads[0] += k) > bound) {
                throw new AssertionError("more than " + bound + " elements of colliding keys read in one verify: the"
                        + " search among them is not a logarithm of them");
            }
        };
        VerifiedProgram v;
        try {
            v = Verifier.verify(p);
        } finally {
            TypesKey.probe = null;
        }
        assertTrue(reads[0] >= (long) (n - 1) * len && reads[0] <= bound, reads[0] + " reads, bound " + bound);
        return v;
    }

    private static Program decoded(Program p) {
        return ProgramDecoder.decode(ProgramEncoder.encode(p));
    }

    @Test
    void manyCallSignaturesOfCollidingTypes() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.ret(0);
        f.regCount(1);
        Program base = pb.build();
        List<CallSig> sigs = new ArrayList<>();
        for (long k = 1; k <= 40_000; k++) {
            sigs.add(new CallSig(List.of(colliding(k)), List.of()));
        }
        // and one equal to the first, which must get the same key
        sigs.add(new CallSig(List.of(colliding(1)), List.of()));
        Program p = decoded(new Program(base.symbols(), base.constants(), base.types(), base.functions(),
                base.hostSigs(), sigs, base.argShapes(), base.names()));
        VerifiedProgram v = verifyCounted(p, 40_001, 1);
        assertEquals(1, v.program().functions().size());
    }

    @Test
    void aHostCallOfManyCollidingResultTypes() {
        int n = 30_000;
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> rets = new ArrayList<>();
        for (long k = 1; k <= n; k++) {
            rets.add(colliding(k));
        }
        int sig = pb.hostSig("env.many", List.of(), rets);
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
        }
        f.hostCall(0, sig, 0, new int[0], regs);
        f.ret(0);
        f.regCount(n + 1);
        Program p = decoded(pb.build());
        // the type checker's obj type ids: 30,000 colliding keys of one element each
        VerifiedProgram v = verifyCounted(p, n, 1);
        assertEquals(colliding(1), v.registerType(0, 1));
        assertEquals(colliding(n), v.registerType(0, n));
    }

    @Test
    void manyFunctionsWhoseRegisterTypesCollide() {
        int n = 8_000;
        int regs = 200;
        ProgramBuilder pb = new ProgramBuilder();
        for (long k = 1; k <= n; k++) {
            int sig = pb.hostSig("env.f" + k, List.of(), List.of(colliding(k)));
            FunctionBuilder f = pb.addFunction(List.of(), List.of());
            f.hostCall(0, sig, 0, new int[0], new int[] {regs - 1});
            f.ret(0);
            f.regCount(regs);
        }
        Program p = decoded(pb.build());
        VerifiedProgram v = verifyCounted(p, n, regs);
        for (int k = 0; k < n; k++) {
            assertEquals(colliding(k + 1), v.registerType(k, regs - 1));
            assertEquals(ValueType.UNIT, v.registerType(k, regs - 2));
        }
    }
}
