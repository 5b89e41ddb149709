package dev.tape.jit;

import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.objectweb.asm.MethodVisitor;
import java.util.List;

import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * The last closure an inlined {@code call.indirect} checked, kept in locals of the method: per
 * site (the first {@link #MAX_SITES} {@code call.indirect}s of a closure in code order), an object
 * local holding the closure whose function id was the site's first inlined leaf's and on whose
 * environment every read of the leaf passed {@code JitRuntime.leafGets}, and up to
 * {@link #MAX_WORDS} {@code long} locals holding those reads' elements ({@link LeafInliner}).
 *
 * <p>A closure and its environment never change (a {@code Value.Closure} record over an
 * {@code Aggregate}, neither of which has a setter; no v1 instruction writes an aggregate), so a
 * closure that passed the id test and the reads' checks once passes them again with the same
 * elements. When the site's register holds that very object (one reference compare), the call
 * skips the id read, the environment read, the checks and the reads, and runs the leaf's body on
 * the kept elements; the guard (fuel and register room) runs on every call as before. Before the
 * first check the object local is {@code JitRuntime.NO_CLOSURE}, an object no register ever holds,
 * so it never matches (not even a register never written, which holds null).
 *
 * <p>Used only where the leaf reads nothing but its environment (each read a word of it) and the
 * method keeps no struct in locals ({@link VirtualStructs}); elsewhere the site is compiled as
 * before. So C2 sees the loop's steady state as compares of locals, even where the call's real
 * path, taken on the run's first iterations while the register files grow, is compiled into the
 * loop (a real call makes every field read after it a read again).
 */
final class ClosureCache {
    /** Most {@code call.indirect} sites of a closure per method that keep one. */
    static final int MAX_SITES = 4;
    /** Most environment reads a cached leaf may make. */
    static final int MAX_WORDS = 4;
    /**
     * Bytes of bytecode a cached site adds at most: the compare and guard before the id read
     * (at most 24), the object's and the words' stores (at most 8 and 4 times 14), and the
     * prologue's set-up of its locals (at most 27).
     */
    static final int SITE_BYTES = 176;

    /** the cached sites' global code indices, in code order */
    private final int[] sites;
    /** per site, its object local; its words follow from {@code objects[s] + 1}, two slots each */
    private final int[] objects;

    private ClosureCache(int[] sites, int[] objects) {
        this.sites = sites;
        this.objects = objects;
    }

    /**
     * Lays out the locals of the function's first {@link #MAX_SITES} {@code call.indirect}s of a
     * closure, appending their types to {@code types} (the method's locals so far, in stack map
     * form, a {@code long} as one entry).
     *
     * @param fn the function
     * @param code the lowered image's code
     * @param entry the function's first code index in {@code code}
     * @param types the locals' types
     * @return the cache, or null when the function has no such site
     */
    static ClosureCache of(LoweredFunction fn, int[] code, int entry, List<Object> types) {
        int[] sites = new int[MAX_SITES];
        int n = 0;
        for (int s = 0; s < fn.instructionCount() && n < MAX_SITES; s++) {
            int g = entry + fn.instructionStart(s);
            if (code[g] == LOp.CALL_INDIRECT_CLOSURE) {
                sites[n++] = g;
            }
        }
        if (n == 0) {
            return null;
        }
        int slot = 0;
        for (Object t : types) {
            slot += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        int[] objects = new int[n];
        for (int s = 0; s < n; s++) {
            objects[s] = slot;
            types.add(JitCompiler.OBJECT);
            for (int j = 0; j < MAX_WORDS; j++) {
                types.add(LONG);
            }
            slot += 1 + 2 * MAX_WORDS;
        }
        return new ClosureCache(java.util.Arrays.copyOf(sites, n), objects);
    }

    /**
     * @param g a {@code call.indirect}'s global code index
     * @return its object local, or -1 when the site keeps none
     */
    int object(int g) {
        for (int s = 0; s < sites.length; s++) {
            if (sites[s] == g) {
                return objects[s];
            }
        }
        return -1;
    }

    /**
     * @param object a site's object local ({@link #object})
     * @param j a read, 0 to {@link #MAX_WORDS} - 1
     * @return the {@code long} local of the site's read {@code j}
     */
    static int word(int object, int j) {
        return object + 1 + 2 * j;
    }

    /** In the prologue: gives the locals their types ({@code JitRuntime.NO_CLOSURE} and zero). */
    void init(MethodVisitor mv) {
        for (int object : objects) {
            mv.visitFieldInsn(GETSTATIC, JitCompiler.RT, "NO_CLOSURE", "Ljava/lang/Object;");
            mv.visitVarInsn(ASTORE, object);
            for (int j = 0; j < MAX_WORDS; j++) {
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, word(object, j));
            }
        }
    }
}
