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
 * those null and records, per import, why ({@link #detail} makes the sentence the
 * {@code host_call_failed} trap carries when a call traps). Memory is linear in the imports, not in
 * imports times symbol length: a problem refers to the program's symbol, it does not copy it.
 */
final class Linker {
    private Linker() {}

    /**
     * @param host the host
     * @param symbols each import's symbol
     * @param sigs each import's signature
     * @param lazy whether problems are recorded instead of thrown
     * @param fns receives each import's function (null where it did not link)
     * @param problems receives, for each import that did not link, why; else null
     * @throws LinkException when not lazy and any import did not link
     */
    static void link(Host host, String[] symbols, HostSig[] sigs, boolean lazy, HostFunction[] fns,
                     LinkException.Problem[] problems) {
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
                problems[i] = p;
            }
        }
        if (!lazy && !found.isEmpty()) {
            throw new LinkException(found);
        }
    }

    /**
     * @param p an import that did not link
     * @return the detail of the {@code host_call_failed} trap a call of it makes, one line (a
     *     missing import keeps the words it always had), built only when a call traps
     */
    static String detail(LinkException.Problem p) {
        return p.reason() == LinkException.Reason.MISSING ? "the host does not provide " + p.symbol() : p.describe();
    }
}
