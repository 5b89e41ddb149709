package dev.tape.cli;

import dev.tape.format.DecodeException;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads, decodes, assembles and verifies program files for the commands, turning every failure
 * into a one-line {@link CliException} that names the file.
 *
 * <p>A file whose name ends in {@code .tasm} is text assembly; any other file is a binary
 * {@code .tape} container.
 */
final class ProgramFiles {
    private ProgramFiles() {}

    /**
     * @param file a path
     * @return whether the file is text assembly (its name ends in {@code .tasm})
     */
    static boolean isAssembly(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().endsWith(".tasm");
    }

    /**
     * The most bytes {@link #read(Path)} reads from one file (a snapshot, a recording, a command file):
     * 1 GiB. A larger file, or a pseudo-file that never ends ({@code /dev/zero}), is refused once this
     * many bytes and one more have been read, never read to the JVM's array limit.
     */
    static final int MAX_FILE_BYTES = 1 << 30;

    /**
     * The most bytes of assembly text {@link #readProgram(Path)} reads from a {@code .tasm} file:
     * 256 MiB, more than the text of the largest program a {@code .tape} file may hold
     * ({@link ProgramDecoder#DEFAULT_MAX_PROGRAM_BYTES}).
     */
    static final int MAX_ASSEMBLY_BYTES = 256 << 20;

    /**
     * Reads a whole file of at most {@link #MAX_FILE_BYTES} bytes.
     *
     * @param file the file
     * @return its bytes
     * @throws CliException (exit 2) when the file is missing, a directory, unreadable, or longer than
     *     {@link #MAX_FILE_BYTES}
     */
    static byte[] read(Path file) throws CliException {
        return read(file, MAX_FILE_BYTES, "a file");
    }

    /**
     * Reads a whole program file: at most {@link ProgramDecoder#DEFAULT_MAX_PROGRAM_BYTES} bytes for a
     * {@code .tape} container (the most the decoder accepts), at most {@link #MAX_ASSEMBLY_BYTES} for
     * {@code .tasm} text ({@link #isAssembly}).
     *
     * @param file the file
     * @return its bytes
     * @throws CliException (exit 2) when the file is missing, a directory, unreadable, or longer than its
     *     kind's limit
     */
    static byte[] readProgram(Path file) throws CliException {
        return isAssembly(file) ? read(file, MAX_ASSEMBLY_BYTES, "an assembly file")
                : read(file, ProgramDecoder.DEFAULT_MAX_PROGRAM_BYTES, "a program");
    }

    /**
     * Reads a whole file, reading at most one byte past {@code max} however long the file is or grows
     * while it is read.
     *
     * @param file the file
     * @param max the most bytes accepted, 0 to {@link #MAX_FILE_BYTES}
     * @param what what the file is, for the message ("a program")
     * @return its bytes
     * @throws CliException (exit 2) when the file is missing, a directory, unreadable, or longer than
     *     {@code max}
     */
    private static byte[] read(Path file, int max, String what) throws CliException {
        if (Files.isDirectory(file)) {
            throw new CliException(Escape.path(file) + ": is a directory, not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new CliException(Escape.path(file) + ": more than " + max + " bytes, the most "
                        + what + " may have");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new CliException(Escape.path(file) + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CliException(Escape.path(file) + ": permission denied");
        } catch (IOException e) {
            throw new CliException(Escape.path(file) + ": cannot read: " + Escape.text(e.getMessage()));
        } catch (OutOfMemoryError e) {
            throw new CliException(Escape.path(file) + ": too large to read into memory");
        }
    }

    /**
     * Writes a whole file, replacing it if it exists.
     *
     * @param file the file
     * @param bytes what to write
     * @throws CliException (exit 2) when the file cannot be written
     */
    static void write(Path file, byte[] bytes) throws CliException {
        if (Files.isDirectory(file)) {
            throw new CliException(Escape.path(file) + ": is a directory, not a file");
        }
        try {
            Files.write(file, bytes);
        } catch (NoSuchFileException e) {
            throw new CliException(Escape.path(file) + ": no such directory");
        } catch (AccessDeniedException e) {
            throw new CliException(Escape.path(file) + ": permission denied");
        } catch (IOException e) {
            throw new CliException(Escape.path(file) + ": cannot write: " + Escape.text(e.getMessage()));
        }
    }

    /**
     * Reads a text file as strict UTF-8.
     *
     * @param file the file
     * @return its text
     * @throws CliException (exit 2) when the file cannot be read or is not UTF-8
     */
    static String readText(Path file) throws CliException {
        return text(file, read(file));
    }

    /**
     * Reads a {@code .tasm} program file as strict UTF-8, at most {@link #MAX_ASSEMBLY_BYTES} bytes.
     *
     * @param file the file
     * @return its text
     * @throws CliException (exit 2) when the file cannot be read, is longer than that, or is not UTF-8
     */
    static String readAssembly(Path file) throws CliException {
        return text(file, read(file, MAX_ASSEMBLY_BYTES, "an assembly file"));
    }

    /**
     * Decodes a text file's bytes as strict UTF-8.
     *
     * @param file the file the bytes came from, for messages
     * @param bytes its bytes
     * @return its text
     * @throws CliException (exit 2) when the bytes are not UTF-8
     */
    static String text(Path file, byte[] bytes) throws CliException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CliException(Escape.path(file) + ": not UTF-8 text");
        }
    }

    /**
     * Loads a program: decodes a {@code .tape} file or assembles a {@code .tasm} file.
     *
     * @param file the file
     * @return the program, not yet verified
     * @throws CliException (exit 2) when the file cannot be read, decoded or assembled
     */
    static Program load(Path file) throws CliException {
        return load(file, readProgram(file));
    }

    /**
     * Loads a program from a file's bytes, as {@link #load(Path)} does once it has read them: assembles them
     * as strict UTF-8 text when the file's name ends in {@code .tasm}, else decodes them as a container.
     *
     * @param file the file the bytes came from, which decides how they are read and names it in messages
     * @param bytes the file's bytes
     * @return the program, not yet verified
     * @throws CliException (exit 2) when the bytes cannot be decoded or assembled
     */
    static Program load(Path file, byte[] bytes) throws CliException {
        if (isAssembly(file)) {
            return Assembly.assembleWithLines(file, text(file, bytes)).program();
        }
        return decode(file, bytes);
    }

    /**
     * Decodes a binary container.
     *
     * @param file the file the bytes came from, for messages
     * @param bytes the bytes
     * @return the program
     * @throws CliException (exit 2) when the bytes are not a valid container
     */
    static Program decode(Path file, byte[] bytes) throws CliException {
        try {
            return ProgramDecoder.decode(bytes);
        } catch (DecodeException e) {
            throw new CliException(Escape.path(file) + ": " + Escape.text(e.getMessage()));
        } catch (RuntimeException e) {
            throw new CliException(Escape.path(file) + ": decode error: " + describe(e));
        }
    }

    /**
     * Verifies a program.
     *
     * @param file the file the program came from, for messages
     * @param program the program
     * @return the verified program
     * @throws CliException (exit 2) when the verifier refuses it
     */
    static VerifiedProgram verify(Path file, Program program) throws CliException {
        try {
            return Verifier.verify(program);
        } catch (VerifyException e) {
            throw new CliException(Escape.path(file) + ": " + Escape.text(e.getMessage()));
        } catch (RuntimeException e) {
            throw new CliException(Escape.path(file) + ": verify error: " + describe(e));
        }
    }

    /**
     * @param e an exception
     * @return its class's simple name and its message, on one line
     */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + Escape.text(m));
    }
}
