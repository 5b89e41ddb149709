package dev.tape.cli;

import dev.tape.format.DecodeException;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;

import java.io.IOException;
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
     * Reads a whole file.
     *
     * @param file the file
     * @return its bytes
     * @throws CliException (exit 2) when the file is missing, a directory, or unreadable
     */
    static byte[] read(Path file) throws CliException {
        if (Files.isDirectory(file)) {
            throw new CliException(Escape.path(file) + ": is a directory, not a file");
        }
        try {
            return Files.readAllBytes(file);
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
        return load(file, read(file));
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
