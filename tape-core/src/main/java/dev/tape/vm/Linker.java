package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.Signature;
import dev.tape.program.HostSig;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a program's host imports against a host once, when a {@link Vm} is made: eager linking
 * throws one {@link LinkException} listing every import that did not link; lazy linking leaves
 * those null and records, per import, the sentence the {@code host_call_failed} trap will carry.
 */
final class Linker {
    private Linker() {}

    /**
     * @param host the host
     * @param symbols each import's symbol
     * @param sigs each import's signature
     * @param lazy whether problems are recorded instead of thrown
     * @param fns receives each import's function (null where it did not link)
     * @param problems receives, for each import that did not link, why (one line, the detail of the
     *     trap a call of it makes); else null
     * @throws LinkException when not lazy and any import did not link
     */
    static void link(Host host, String[] symbols, HostSig[] sigs, boolean lazy, HostFunction[] fns, String[] problems) {
        List<LinkException.Problem> found = new ArrayList<>();
        for (int i = 0; i < sigs.length; i++) {
            HostSig s = sigs[i];
            LinkException.Problem p = null;
            try {
                fns[i] = host.resolve(symbols[i], s.sigHash(), s.args(), s.rets());
            } catch (RuntimeException | LinkageError e) {
                fns[i] = null;
                p = new LinkException.Problem(symbols[i], Signature.of(s.args(), s.rets()),
                        LinkException.Reason.RESOLVER_FAILED, List.of(), e);
            }
            if (fns[i] == null && p == null) {
                List<Signature> offered;
                try {
                    offered = host.offered(symbols[i]);
                } catch (RuntimeException e) {
                    offered = List.of();
                }
                offered = offered == null ? List.of() : offered;
                p = new LinkException.Problem(symbols[i], Signature.of(s.args(), s.rets()), offered.isEmpty()
                        ? LinkException.Reason.MISSING : LinkException.Reason.SIGNATURE_MISMATCH, offered, null);
            }
            if (p != null) {
                found.add(p);
                // the trap's detail; a missing import keeps the words it always had
                problems[i] = p.reason() == LinkException.Reason.MISSING ? "the host does not provide " + symbols[i]
                        : p.describe();
            }
        }
        if (!lazy && !found.isEmpty()) {
            throw new LinkException(found);
        }
    }
}
