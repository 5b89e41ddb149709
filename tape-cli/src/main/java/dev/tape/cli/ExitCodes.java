package dev.tape.cli;

/** The exit codes of every {@code tape} command. */
public final class ExitCodes {
    private ExitCodes() {}

    /** The command did what was asked: a run returned, a program verified, every case passed. */
    public static final int OK = 0;
    /** The program ran and trapped, or a conformance case or benchmark run failed. */
    public static final int FAILED = 1;
    /**
     * The command could not do its work: a bad option or argument, a missing or malformed file, a
     * program the decoder, assembler or verifier refuses, a damaged or mismatched snapshot, standard
     * output or error that could not be written (a full disk, a closed descriptor; a pipe whose
     * reader has gone keeps the command's code), a security manager that denies what {@code tape}
     * needs, or an unexpected internal error.
     */
    public static final int ERROR = 2;
    /**
     * What every command's code 2 covers besides its own reasons, in its {@code --help} exit-code
     * list (appended to the code 2 line there by {@link TapeCli#commandLine}, so that no command's
     * list can leave it out): its standard output or error could not be written, or a security
     * manager denies what {@code tape} needs (see {@link #ERROR}).
     */
    public static final String PROCESS_ERRORS = "; or stdout or stderr could not be written (a broken pipe"
            + " keeps the code), or a security manager denies what tape needs";

    /** {@code tape run --timeout}: the run reached its deadline before it returned or trapped. */
    public static final int TIMEOUT = 3;
    /**
     * {@code tape run --pause-at}: the run paused after the fuel given and its snapshot was
     * written ({@code tape resume} continues it).
     */
    public static final int PAUSED = 4;
}
