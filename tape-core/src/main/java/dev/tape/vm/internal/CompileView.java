package dev.tape.vm.internal;

import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LoweredFunction;

import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * What a {@link Codegen} reads of one VM and its compiled tier: the program's lowered code, the host
 * imports' signatures, the call sites of other functions, and the limits the generated code must
 * check. Implemented in {@code dev.tape.vm}; every method is cheap (a field read or a table lookup)
 * unless it says otherwise. Not API (see the package comment).
 */
public interface CompileView {
    /**
     * The lowered code of the whole program.
     *
     * @return the verified program's lowered code image (shared by all its functions)
     */
    CodeImage image();

    /**
     * One function in lowered form.
     *
     * @param func a function id, {@code 0 <= func < functionCount()}
     * @return its lowered form
     */
    LoweredFunction function(int func);

    /**
     * The number of functions in the program.
     *
     * @return how many functions the program has
     */
    int functionCount();

    /**
     * The program being compiled.
     *
     * @return the program (its function signatures and call signatures)
     */
    Program program();

    /**
     * The kinds of a host signature's arguments.
     *
     * @param sig a host signature index of the program
     * @return the kinds of its arguments (not to be changed)
     */
    ValueKind[] hostArgKinds(int sig);

    /**
     * The types of a host signature's results.
     *
     * @param sig a host signature index of the program
     * @return the types of its results (not to be changed)
     */
    ValueType[] hostRetTypes(int sig);

    /**
     * How compiled code calls the host function bound to a host signature.
     *
     * @param sig a host signature index of the program
     * @return the shape ({@code WordFunction.OF1}, {@code OF2}, {@code OF3} or {@code WORDS}) of
     *     the word function bound to it, which compiled code calls with words through
     *     {@code dev.tape.vm.WordCalls}; -1 when its function is called with boxed values
     */
    int hostWordShape(int sig);

    /**
     * Tells whether compiled code may go on in the same block after a host call.
     *
     * @param sig a host signature index of the program
     * @return whether a {@code host_call} of {@code sig} leaves its compiled block going on (a
     *     one-to-three-word function, which sees no context): the one rule both the code generator
     *     and the interpreter's steps to the next resume point ({@code JitResume}) follow
     */
    boolean hostCallKeepsBlock(int sig);

    /**
     * The word function bound to a host signature, as a method handle compiled code can call directly.
     *
     * @param sig a host signature index whose {@link #hostWordShape} is {@code OF1}, {@code OF2} or
     *     {@code OF3}
     * @return its word function as a handle bound to it, of type {@code (long) -> long},
     *     {@code (long, long) -> long} or {@code (long, long, long) -> long}: a constant of the
     *     generated class, so that C2 inlines the function into compiled code; it throws what the
     *     function throws
     * @throws IllegalArgumentException when the signature has no such function
     */
    MethodHandle hostWordHandle(int sig);

    /**
     * Tells how a compiled method returns results of the given types.
     *
     * @param rets the result types of a function or call signature
     * @return whether a compiled method with these results returns them as its {@code long} (one
     *     word value) rather than through the context's result arrays
     */
    boolean direct(List<ValueType> rets);

    /**
     * Tells whether a function will never get compiled code.
     *
     * @param func a function id
     * @return whether it is known never to get compiled code (so a call to it hands over to the
     *     interpreter without a call site); false when only measuring
     */
    boolean failed(int func);

    /**
     * The call site through which compiled code calls a function.
     *
     * @param func a function id
     * @return the invoker of the call site compiled code calls {@code func} through (the method
     *     once it has one, until then a stub that compiles it or hands over)
     * @throws IllegalStateException when the view only measures (it has no tier)
     */
    MethodHandle callSite(int func);

    /**
     * Makes a new inline cache for one {@code call.indirect} instruction.
     *
     * @return the invoker of a new inline cache for one {@code call.indirect} instruction, of type
     *     {@code (Vm vm, ExecutionContext c, int callee, int nb, int depth, int stackWords) -> long}:
     *     it calls the checked {@code callee} whose frame is set up at {@code nb} from a caller at
     *     {@code depth} with {@code stackWords} of Java stack left, or hands the run over, exactly
     *     as the tier's generic indirect call does, through a constant handle for the callees it
     *     has seen (at most a few)
     * @throws IllegalStateException when the view only measures (it has no tier)
     */
    MethodHandle indirectSite();

    /**
     * Finds the points where a paused run may re-enter a function's compiled code.
     *
     * @param func a function id
     * @return per code index of the function, whether a paused run may re-enter compiled code
     *     there if it is a reachable block start (a loop header, or a point inside no loop); a new
     *     array, costs time linear in the function's code
     */
    boolean[] entrances(int func);

    /**
     * Finds the registers a function may read, for reloading them when a run resumes.
     *
     * @param func a function id
     * @return per register of the function, whether any of its instructions may read it (a
     *     superset): a resumed method reloads only these from the register files; a new array,
     *     costs time linear in the function's code
     */
    boolean[] mayRead(int func);

    /**
     * The registers written on every path to some points of a function (the verifier's
     * {@link dev.tape.verify.InitFacts#writtenBefore}): a reference register outside a point's set is
     * one no instruction, snapshot or {@code Run.registers} reads there before it is written again.
     *
     * @param func a function id
     * @param ips reachable instruction starts of it (lowered code indices), in increasing order
     * @return for each, a bit set of the function's registers (bit r of word r / 64); new arrays;
     *     the first call for a function costs time linear in its code (the facts are then kept)
     * @throws IllegalArgumentException when an index is not a reachable instruction start, or the
     *     order is wrong
     */
    long[][] writtenBefore(int func, int[] ips);

    /**
     * The limit on compiled calls nested on the Java stack.
     *
     * @return how many frames deep compiled calls nest on the Java stack before handing over
     */
    int maxNesting();

    /**
     * The Java stack cost of a {@code call.indirect}, in stack words.
     *
     * @return Java stack words a {@code call.indirect} adds to its callee's frame
     */
    int indirectWords();

    /**
     * The copy budget's allowance: the values an instruction copies free of charge.
     *
     * @return values an instruction copies before the copy budget counts them
     */
    int freeValues();

    /**
     * Whether an instruction that moves {@code values} values (a call's arguments and results)
     * moves them free: when it does not, the interpreter counts them against the copy budget
     * ({@code ExecutionContext.copied}) after the frame set-up, so a compiled call may not skip
     * its real path (an inlined body or a fast clone would not count them). The one statement of
     * the rule {@code values > freeValues()} that the compiled tier's call sites share.
     *
     * @param values the values moved (non-negative)
     * @return true exactly when {@code values <= freeValues()}
     */
    default boolean movesFree(int values) {
        return values <= freeValues();
    }

    /**
     * The {@code resume} argument that starts a compiled method at its beginning.
     *
     * @return the {@code resume} argument of a fresh call (the method starts at code index 0)
     */
    int fresh();

    /**
     * Whether a {@code call.indirect} with call signature {@code callSig} may call function
     * {@code callee} without a trap from its callee check: the function exists and its signature
     * (without its environment argument when {@code closure}) is the call signature's, the test
     * {@code Calls.checkIndirect} makes at run time. Constant time.
     *
     * @param callSig a call signature id of the program
     * @param callee a function id (any int)
     * @param closure whether the call is through a closure
     * @return true exactly when the run-time check passes for these
     */
    boolean indirectFits(int callSig, int callee, boolean closure);
}
