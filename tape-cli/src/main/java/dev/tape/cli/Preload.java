package dev.tape.cli;

import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.verify.VerifiedProgram;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code tape run}'s program loaded and verified on a second thread while the main thread builds and
 * parses the command line with picocli (cold start, issue 14: the two took about the same time one
 * after the other, and the machine has a second core for the one).
 *
 * <p>{@link TapeCli#main} calls {@link #start(String[])} first. For {@code run} on the compiled tier
 * ({@link #compiles(String[])}) it starts the compiled tier's warm-up ({@link Jit#warmUp()}: ASM and
 * the generator loaded and linked on a daemon thread of its own). When the command line starts
 * {@code run FILE} with a FILE that does not start with {@code -} or {@code @} (which picocli would
 * read as an option or an argument file) and names a regular file of at most {@link #MAX_BYTES}
 * bytes, a daemon thread reads it ({@link #read(Path)}), assembles or decodes its bytes and verifies the
 * program ({@link ProgramFiles#load(Path, byte[])}, {@link ProgramFiles#verify}, which depend on no
 * option). {@code tape run}, once picocli has parsed its options, takes the
 * result ({@link #claim()}, {@link #take(Path)}) when the file picocli parsed is the same path, the
 * thread succeeded, and the file, read again then, still holds the very bytes the thread loaded;
 * otherwise, and in every other command, the program is loaded as before, on
 * the main thread, so every error, its message and its exit code are those of a load without this.
 * The program run is therefore always the one the file holds when the command reads it, as without
 * the preload, even when the file is rewritten, replaced, truncated (say by {@code --record FILE}
 * naming it) or deleted after the thread read it.
 * Nothing runs concurrently with the command itself: {@link #take(Path)} waits for the thread
 * before the command reads its options, and the thread prints nothing.
 *
 * <p>Bounds: the thread reads at most {@link #MAX_BYTES} + 1 bytes however the file grows while it
 * reads (a larger file is left to the command), and does one load and verification of the bytes the command
 * would have loaded anyway, with the same limits; {@link #take(Path)} reads the file once more, as
 * boundedly. When the command stops before loading (a usage error, {@code --help}), the process exits
 * without waiting for the thread.
 */
final class Preload {
    /**
     * The largest file loaded ahead, in bytes (4 MiB): a larger one is loaded by the command alone, so
     * that the thread never holds much of the heap while picocli runs beside it (and a cold start is
     * about small programs: a larger one takes far longer to verify and run than picocli to start).
     */
    static final long MAX_BYTES = 4L << 20;

    /** the one {@link TapeCli#main} started, until {@code tape run} claims it (package-private for tests) */
    static volatile Preload started;

    /** the path as picocli converts FILE ({@code Paths.get}) */
    private final Path file;
    /** the loading thread (package-private for tests, which wait for it) */
    final Thread thread;
    /** set by the thread when both steps succeeded; read after {@link Thread#join()} */
    private byte[] bytes;
    private Program program;
    private VerifiedProgram verified;

    private Preload(Path file) {
        this.file = file;
        // an anonymous class, not a method reference: no invokedynamic call site to link at start-up
        this.thread = new Thread(new Runnable() {
            @Override
            public void run() {
                load();
            }
        }, "tape-preload");
        thread.setDaemon(true);
    }

    /**
     * Starts loading {@code tape run}'s program when the command line is {@code run FILE ...} as
     * described above; otherwise does nothing. Never throws.
     *
     * @param args the command-line arguments, as {@link TapeCli#main} got them
     */
    static void start(String[] args) {
        if (args.length >= 1 && "run".equals(args[0]) && compiles(args)) {
            // ASM and the generator loaded beside picocli too (never throws; outcomes never depend on it)
            Jit.warmUp();
        }
        if (args.length < 2 || !"run".equals(args[0]) || args[1] == null || args[1].isEmpty()
                || args[1].charAt(0) == '-' || args[1].charAt(0) == '@') {
            return;
        }
        try {
            Preload p = new Preload(Path.of(args[1]));
            p.thread.start();
            started = p;
        } catch (Throwable t) {
            // an invalid path, no thread to be had: the command loads the file itself
        }
    }

    /**
     * Whether a {@code tape run} command line may run on the compiled tier: it does not select
     * {@code --tier interp} (as {@code --tier=interp} or {@code --tier interp}, anywhere; a program
     * argument that reads so only spares a warm-up, which never changes an outcome).
     *
     * @param args the command-line arguments
     * @return false when it selects the interpreter
     */
    static boolean compiles(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if ("--tier=interp".equals(args[i]) || ("--tier".equals(args[i]) && i + 1 < args.length
                    && "interp".equals(args[i + 1]))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the preload {@link #start(String[])} started, if any; a second call returns null.
     *
     * @return the preload, or null
     */
    static Preload claim() {
        Preload p = started;
        started = null;
        return p;
    }

    /** the thread's work: a failure of any kind leaves the fields null */
    private void load() {
        try {
            byte[] b = read(file);
            if (b == null) {
                return;
            }
            Program p = ProgramFiles.load(file, b);
            VerifiedProgram v = ProgramFiles.verify(file, p);
            bytes = b;
            program = p;
            verified = v;
        } catch (Throwable t) {
            // the main thread loads the file again and reports what goes wrong
        }
    }

    /**
     * Reads a regular file of at most {@link #MAX_BYTES} bytes, reading no more than one byte past that
     * limit however large the file is or grows while it is read. Never throws.
     *
     * @param file the file
     * @return its bytes, or null when it is not a regular file (a folder, a FIFO, a device, missing),
     *     cannot be read, or holds more than {@link #MAX_BYTES} bytes
     */
    static byte[] read(Path file) {
        try {
            // not a FIFO or a device, which opening or reading could block on or consume
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes((int) MAX_BYTES + 1);
                return b.length > MAX_BYTES ? null : b;
            }
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Waits for the thread, then gives its program if it loaded {@code path} and verified it, and the
     * file still holds the bytes it loaded (read again now, {@link #read(Path)}).
     *
     * @param path the FILE picocli parsed
     * @return the program and its verification, or null when the command must load the file itself
     *     (another path, a failure, a file changed since the thread read it, or the wait interrupted)
     */
    Loaded take(Path path) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (verified == null || !file.equals(path)) {
            return null;
        }
        byte[] now = read(path);
        if (now == null || !Arrays.equals(now, bytes)) {
            return null;
        }
        return new Loaded(program, verified);
    }

    /**
     * A program loaded and verified ahead.
     *
     * @param program the program as {@link ProgramFiles#load} made it
     * @param verified its verification
     */
    record Loaded(Program program, VerifiedProgram verified) {}
}
