package dev.tape.testing;

import dev.tape.TapeException;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import java.util.List;

/**
 * The one test host of the record/replay and host-call-detail tests ({@code RecordReplayTest},
 * {@code AttackHostCallDetailTest}, tape-jit's {@code AttackHostCallDetailTiersTest}, through
 * tape-core's test jar): the program {@link #SOURCE}, which sums {@code n} answers of
 * {@code env.next(i)}, a host that provides {@code env.next} (i64) -&gt; (i64), and the throwables
 * that make a host-call detail hard to form ({@link Override}, {@link BadMessage}).
 */
public final class NextHost {
    private NextHost() {}

    /** Sums n answers of {@code env.next(i)}, i from 0 to n - 1, in a loop (one {@code host_call} a turn). */
    public static final String SOURCE = """
            program rr
            host next = "env.next" (i64) -> (i64)
            func main(n: i64) -> (sum: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp loop
            loop:
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                host_call r0, next, r0, [r3] -> [r6]
                i64.add r2, r2, r6
                i64.add r3, r3, r4
                jmp loop
            done:
                ret r0, [r2]
            }
            """;

    /**
     * @param fn what {@code env.next} does
     * @return a host providing {@code env.next} (i64) -&gt; (i64) as {@code fn}
     */
    public static Host of(HostFunction fn) {
        return new HostRegistry().register("env.next", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)), fn);
    }

    /**
     * @param e what to throw
     * @param at the argument at which {@code env.next} throws; negative: every call
     * @return a host whose {@code env.next} answers its argument, and throws {@code e} at {@code at}
     */
    public static Host throwing(Throwable e, long at) {
        return of((args, results, ctx) -> {
            long i = ((Value.I64) args[0]).value();
            if (at < 0 || i == at) {
                if (e instanceof Error err) {
                    throw err;
                }
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw (Exception) e;
            }
            results[0] = Value.i64(i);
        });
    }

    /** A {@code TapeException} of an embedder's whose {@code hostCallDetail} override does {@code how}. */
    public static final class Override extends TapeException {
        private static final long serialVersionUID = 1L;
        private final int how;

        /**
         * @param how 0: returns null; 1: throws an exception; 2: throws an {@code Error}; 3: recurses;
         *     4: throws itself; else returns a string of two lines with a NUL
         */
        public Override(int how) {
            super("override " + how);
            this.how = how;
        }

        /** @return {@code how} */
        public int how() {
            return how;
        }

        @java.lang.Override
        public String hostCallDetail() {
            switch (how) {
                case 0:
                    return null;
                case 1:
                    throw new IllegalStateException("the override failed");
                case 2:
                    throw new AssertionError("an error of the override");
                case 3:
                    return hostCallDetail();
                case 4:
                    throw this;
                default:
                    return "line one\nline two\0 and a NUL";
            }
        }
    }

    /** A runtime exception whose {@code getMessage} throws (itself, or another). */
    public static final class BadMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean self;

        /** @param self whether {@code getMessage} throws this exception itself, else an {@code IllegalStateException} */
        public BadMessage(boolean self) {
            this.self = self;
        }

        @java.lang.Override
        public String getMessage() {
            if (self) {
                throw this;
            }
            throw new IllegalStateException("no message today");
        }
    }
}
