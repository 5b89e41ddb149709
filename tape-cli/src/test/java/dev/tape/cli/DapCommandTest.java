package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.debug.DebugException;
import dev.tape.debug.Target;
import dev.tape.debug.dap.DapServer;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tape dap}'s launch arguments read as {@code tape run} options, and a session with the std host. */
@Timeout(60)
class DapCommandTest {
    private static String example(String name) {
        return DebugCommandTest.example(name).toString();
    }

    @Test
    void launchArgumentsAreRunOptions() throws Exception {
        Map<String, Object> launch = new HashMap<>();
        launch.put("program", example("fib.tasm"));
        launch.put("args", List.of("i64:7"));
        launch.put("entry", "fib");
        launch.put("fuel", 1000.0);
        launch.put("max-call-depth", "5");
        launch.put("stopOnEntry", true);
        launch.put("type", "tape");
        List<String> runArgs = DapServer.runArgs(launch);
        assertEquals(List.of(example("fib.tasm"), "--arg", "i64:7", "--entry", "fib", "--fuel", "1000",
                "--max-call-depth", "5"), runArgs);
        Target t = DapCommand.factory().create(runArgs, new PrintWriter(new StringWriter()));
        assertEquals(0, t.entry());
        assertEquals(1000, t.limits().fuel());
        assertEquals(5, t.limits().maxCallDepth());
        assertEquals(12, t.lines().lineOf(0, 23), "a .tasm program keeps its line table");
    }

    @Test
    void aBadLaunchIsOneLine() {
        Map<String, Object> launch = new HashMap<>();
        launch.put("program", example("fib.tasm"));
        launch.put("args", List.of("i64:7"));
        launch.put("fuel", "lots");
        DebugException e = assertThrows(DebugException.class,
                () -> DapCommand.factory().create(DapServer.runArgs(launch), new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().startsWith("launch: --fuel "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        launch.put("fuel", 10.0);
        launch.put("host", "nope");
        e = assertThrows(DebugException.class,
                () -> DapCommand.factory().create(DapServer.runArgs(launch), new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().startsWith("launch: "), e.getMessage());
        launch.put("program", "a\u0000b\nc.tasm");
        e = assertThrows(DebugException.class, () -> DapServer.runArgs(launch));
        assertEquals("launch: \"program\" holds a NUL character, which no file's path can", e.getMessage());
        launch.remove("program");
        assertThrows(DebugException.class, () -> DapServer.runArgs(launch));
    }

    /** Output events as they arrive. */
    static final class Client implements IDebugProtocolClient {
        final BlockingQueue<OutputEventArguments> output = new LinkedBlockingQueue<>();
        final BlockingQueue<ExitedEventArguments> exited = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> terminated = new CompletableFuture<>();

        @Override
        public void output(OutputEventArguments args) {
            output.add(args);
        }

        @Override
        public void exited(ExitedEventArguments args) {
            exited.add(args);
        }

        @Override
        public void terminated(org.eclipse.lsp4j.debug.TerminatedEventArguments args) {
            terminated.complete(null);
        }
    }

    @Test
    void theStdHostPrintsAsOutputEvents() throws Exception {
        PipedInputStream serverIn = new PipedInputStream(1 << 16);
        PipedOutputStream toServer = new PipedOutputStream(serverIn);
        PipedInputStream clientIn = new PipedInputStream(1 << 16);
        PipedOutputStream fromServer = new PipedOutputStream(clientIn);
        Thread serving = new Thread(() -> {
            try {
                DapServer.serve(DapCommand.factory(), serverIn, fromServer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        serving.start();
        Client client = new Client();
        Launcher<IDebugProtocolServer> launcher = DSPLauncher.createClientLauncher(client, clientIn, toServer);
        launcher.startListening();
        IDebugProtocolServer server = launcher.getRemoteProxy();
        server.initialize(new InitializeRequestArguments()).get(30, TimeUnit.SECONDS);
        Map<String, Object> launch = new HashMap<>();
        launch.put("program", example("hello_host.tasm"));
        server.launch(launch).get(30, TimeUnit.SECONDS);
        server.configurationDone(new ConfigurationDoneArguments()).get(30, TimeUnit.SECONDS);
        client.terminated.get(30, TimeUnit.SECONDS);
        List<String> lines = new ArrayList<>();
        for (OutputEventArguments o : client.output) {
            lines.add(o.getCategory() + ": " + o.getOutput());
        }
        assertEquals(List.of("stdout: 6 * 7 =\n", "stdout: 42\n", "console: Program returned no values\n"), lines);
        ExitedEventArguments x = client.exited.poll();
        assertNotNull(x);
        assertEquals(0, x.getExitCode());
        server.disconnect(new DisconnectArguments()).get(30, TimeUnit.SECONDS);
        serving.join(10_000);
        assertFalse(serving.isAlive());
        toServer.close();
        try {
            fromServer.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
