package dev.tape.debug.dap;

/** {@code DapServer.cut} for tests outside this package. */
public final class DapCutAccess {
    private DapCutAccess() {}

    /**
     * @param s escaped text
     * @return {@code DapServer.cut(s)}
     */
    public static String cut(String s) {
        return DapServer.cut(s);
    }
}
