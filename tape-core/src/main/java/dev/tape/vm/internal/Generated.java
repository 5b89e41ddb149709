package dev.tape.vm.internal;

import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * One generated class: its bytes, the invokers of the call sites its static initialiser reads from
 * its class data (one per other function it calls, from {@link CompileView#callSite}), the name of
 * the method of the compiled-code type the tier calls, and where the function's code may be
 * resumed. The class holds that method, and, when the compiler gives the function's own body a
 * second descriptor (tape-jit's word parameters of a self-recursive function), that body's method
 * too, which the named one calls. Not API (see the package comment).
 *
 * @param bytes the class file
 * @param links the class data, in the order the class reads it
 * @param method the name of the static method of the compiled-code type the tier calls (the
 *     function's body, or a trampoline to it)
 * @param points per code index of the function: whether the method can be resumed there (a
 *     reachable block start); the array is owned by the tier from then on
 */
public record Generated(byte[] bytes, List<MethodHandle> links, String method, boolean[] points) {}
