package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.debug.TestTargets;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.NextArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.PauseArguments;
import org.eclipse.lsp4j.debug.ReverseContinueArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StepBackArguments;
import org.eclipse.lsp4j.debug.StepInArguments;
import org.eclipse.lsp4j.debug.StepOutArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.eclipse.lsp4j.debug.Thread;
import org.eclipse.lsp4j.debug.Variable;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives {@code tape dap} with LSP4J's own DAP client over pipes through whole sessions on
 * {@code loop.tasm} (main counts to n, calling inc for each step, then prints n and returns it):
 * every request the server supports, and the events it sends.
 */
@Timeout(120)
class DapSessionTest {
    /** Events as the client receives them. */
    static final class Client implements IDebugProtocolClient {
        final BlockingQueue<StoppedEventArguments> stopped = new LinkedBlockingQueue<>();
        final BlockingQueue<OutputEventArguments> output = new LinkedBlockingQueue<>();
        final BlockingQueue<ExitedEventArguments> exited = new LinkedBlockingQueue<>();
        final BlockingQueue<TerminatedEventArguments> terminated = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> initialized = new CompletableFuture<>();

        @Override
        public void initialized() {
            initialized.complete(null);
        }

        @Override
        public void stopped(StoppedEventArguments args) {
            stopped.add(args);
        }

        @Override
        public void output(OutputEventArguments args) {
            output.add(args);
        }

        @Override
        public void exited(ExitedEventArguments args) {
            exited.add(args);
        }

        @Override
        public void terminated(TerminatedEventArguments args) {
            terminated.add(args);
        }
    }

    private final Path program = TestTargets.resource("loop.tasm");
    private final Client client = new Client();
    private IDebugProtocolServer server;
    private java.lang.Thread serving;
    private PipedOutputStream toServer;

    private void connect() throws IOException {
        PipedInputStream serverIn = new PipedInputStream(1 << 16);
        toServer = new PipedOutputStream(serverIn);
        PipedInputStream clientIn = new PipedInputStream(1 << 16);
        PipedOutputStream fromServer = new PipedOutputStream(clientIn);
        serving = new java.lang.Thread(() -> {
            try {
                DapServer.serve(TestTargets::target, serverIn, fromServer);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            } finally {
                try {
                    fromServer.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }, "dap-server");
        serving.start();
        Launcher<IDebugProtocolServer> launcher = DSPLauncher.createClientLauncher(client, clientIn, toServer);
        launcher.startListening();
        server = launcher.getRemoteProxy();
    }

    @AfterEach
    void close() throws Exception {
        if (toServer != null) {
            toServer.close();
        }
        if (serving != null) {
            serving.join(10_000);
            assertFalse(serving.isAlive(), "the server ends when the client goes");
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private StoppedEventArguments stop(String reason) throws Exception {
        StoppedEventArguments s = client.stopped.poll(60, TimeUnit.SECONDS);
        assertNotNull(s, "a stopped event");
        assertEquals(reason, s.getReason());
        assertEquals(DapServer.THREAD_ID, s.getThreadId());
        return s;
    }

    /** The id the last {@link #stack()} gave the innermost frame (valid until the program moves). */
    private int innermost;

    /** The stack as "name@line" for each frame, innermost first; keeps the innermost frame's id. */
    private List<String> stack() throws Exception {
        StackTraceArguments a = new StackTraceArguments();
        a.setThreadId(DapServer.THREAD_ID);
        List<String> out = new ArrayList<>();
        StackFrame[] frames = get(server.stackTrace(a)).getStackFrames();
        innermost = frames[0].getId();
        for (StackFrame f : frames) {
            out.add(f.getName() + "@" + f.getLine());
            if (f.getLine() > 0) {
                assertEquals(program.toAbsolutePath().toString(), f.getSource().getPath());
                assertEquals("loop.tasm", f.getSource().getName());
            }
        }
        return out;
    }

    /** The registers of a frame as "name = value : type". */
    private List<String> registers(int frameId) throws Exception {
        ScopesArguments sa = new ScopesArguments();
        sa.setFrameId(frameId);
        Scope[] scopes = get(server.scopes(sa)).getScopes();
        assertEquals(1, scopes.length);
        assertEquals("Registers", scopes[0].getName());
        VariablesArguments va = new VariablesArguments();
        va.setVariablesReference(scopes[0].getVariablesReference());
        List<String> out = new ArrayList<>();
        for (Variable v : get(server.variables(va)).getVariables()) {
            out.add(v.getName() + " = " + v.getValue() + " : " + v.getType());
        }
        return out;
    }

    private SetBreakpointsResponse breakOn(int... lines) throws Exception {
        SetBreakpointsArguments a = new SetBreakpointsArguments();
        Source s = new Source();
        s.setPath(program.toString());
        a.setSource(s);
        SourceBreakpoint[] bps = new SourceBreakpoint[lines.length];
        for (int i = 0; i < lines.length; i++) {
            bps[i] = new SourceBreakpoint();
            bps[i].setLine(lines[i]);
        }
        a.setBreakpoints(bps);
        return get(server.setBreakpoints(a));
    }

    private void launch(Map<String, Object> args) throws Exception {
        connect();
        InitializeRequestArguments init = new InitializeRequestArguments();
        init.setAdapterID("tape");
        Capabilities caps = get(server.initialize(init));
        assertTrue(caps.getSupportsStepBack());
        assertTrue(caps.getSupportsConfigurationDoneRequest());
        get(server.launch(args));
        get(client.initialized);
    }

    private String output(String category) throws Exception {
        OutputEventArguments o = client.output.poll(60, TimeUnit.SECONDS);
        assertNotNull(o, "an output event");
        assertEquals(category, o.getCategory(), o.getOutput());
        return o.getOutput();
    }

    @Test
    void aWholeSessionForwardAndBackward() throws Exception {
        Map<String, Object> args = new HashMap<>();
        args.put("type", "tape");
        args.put("request", "launch");
        args.put("program", program.toString());
        args.put("args", List.of("i64:3"));
        args.put("stopOnEntry", true);
        launch(args);

        // line 12 is the call; line 18 is blank, so its breakpoint moves to inc's first line, 20;
        // nothing is at or after line 100
        SetBreakpointsResponse set = breakOn(12, 18, 100);
        var bps = set.getBreakpoints();
        assertEquals(3, bps.length);
        assertTrue(bps[0].isVerified());
        assertEquals(12, bps[0].getLine());
        assertTrue(bps[1].isVerified());
        assertEquals(20, bps[1].getLine());
        assertFalse(bps[2].isVerified());
        int callBreakpoint = bps[0].getId();
        int incBreakpoint = bps[1].getId();

        get(server.configurationDone(new ConfigurationDoneArguments()));
        stop("entry");
        Thread[] threads = get(server.threads()).getThreads();
        assertEquals(1, threads.length);
        assertEquals(DapServer.THREAD_ID, threads[0].getId());
        assertEquals(List.of("main pc 0@6"), stack());
        assertEquals(List.of("r0 = unit : unit", "r1 (n) = i64:3 : i64", "r2 = i64:0 : i64", "r3 = bool:false : bool"),
                registers(innermost));

        ContinueArguments c = new ContinueArguments();
        c.setThreadId(DapServer.THREAD_ID);
        get(server.continue_(c));
        StoppedEventArguments s = stop("breakpoint");
        assertArrayEquals(new Integer[] {callBreakpoint}, s.getHitBreakpointIds());
        List<String> atCall = stack();
        assertEquals(1, atCall.size());
        assertTrue(atCall.get(0).endsWith("@12"), atCall.toString());

        // into the call: inc's first instruction has a breakpoint, so that is why it stops
        StepInArguments in = new StepInArguments();
        in.setThreadId(DapServer.THREAD_ID);
        get(server.stepIn(in));
        s = stop("breakpoint");
        assertArrayEquals(new Integer[] {incBreakpoint}, s.getHitBreakpointIds());
        List<String> inInc = stack();
        assertEquals(List.of("inc pc 0@20", atCall.get(0)), inInc);
        assertEquals(List.of("r0 = unit : unit", "r1 (x) = i64:0 : i64", "r2 = i64:0 : i64", "r3 = i64:0 : i64"),
                registers(innermost));

        NextArguments next = new NextArguments();
        next.setThreadId(DapServer.THREAD_ID);
        get(server.next(next));
        stop("step");
        assertEquals("inc pc 3@21", stack().get(0));
        assertEquals("r2 = i64:1 : i64", registers(innermost).get(2));

        StepOutArguments out = new StepOutArguments();
        out.setThreadId(DapServer.THREAD_ID);
        get(server.stepOut(out));
        stop("step");
        List<String> back = stack();
        assertEquals(1, back.size());
        assertTrue(back.get(0).endsWith("@13"), back.toString());
        assertEquals("r2 = i64:1 : i64", registers(innermost).get(2), "the call's result");

        StepBackArguments sb = new StepBackArguments();
        sb.setThreadId(DapServer.THREAD_ID);
        get(server.stepBack(sb));
        stop("step");
        List<String> beforeRet = stack();
        assertEquals(2, beforeRet.size());
        assertTrue(beforeRet.get(0).startsWith("inc pc ") && beforeRet.get(0).endsWith("@22"), beforeRet.toString());
        assertEquals("r3 = i64:1 : i64", registers(innermost).get(3));

        ReverseContinueArguments rc = new ReverseContinueArguments();
        rc.setThreadId(DapServer.THREAD_ID);
        get(server.reverseContinue(rc));
        s = stop("breakpoint");
        assertArrayEquals(new Integer[] {incBreakpoint}, s.getHitBreakpointIds());
        assertEquals(inInc, stack());

        // no breakpoints: to the end, where main prints 3 and returns it
        breakOn();
        get(server.continue_(c));
        assertEquals("3\n", output("stdout"));
        assertEquals("Program returned i64:3\n", output("console"));
        ExitedEventArguments x = client.exited.poll(60, TimeUnit.SECONDS);
        assertNotNull(x);
        assertEquals(0, x.getExitCode());
        assertNotNull(client.terminated.poll(60, TimeUnit.SECONDS));
        assertNull(client.stopped.poll(), "no stop after the end");
        assertTrue(client.output.isEmpty(), "nothing more is printed: "
                + client.output);

        get(server.disconnect(new DisconnectArguments()));
    }

    @Test
    void pauseStopsARunningProgramAndATrapEndsIt() throws Exception {
        Map<String, Object> args = new HashMap<>();
        args.put("program", program.toString());
        args.put("args", List.of("i64:1000000000000"));
        args.put("fuel", 400000.0); // as a JSON number arrives
        args.put("stopOnEntry", false);
        launch(args);
        get(server.configurationDone(new ConfigurationDoneArguments()));
        PauseArguments p = new PauseArguments();
        p.setThreadId(DapServer.THREAD_ID);
        get(server.pause(p));
        stop("pause");
        List<String> frames = stack();
        assertTrue(frames.get(frames.size() - 1).startsWith("main pc "), frames.toString());

        ContinueArguments c = new ContinueArguments();
        c.setThreadId(DapServer.THREAD_ID);
        get(server.continue_(c));
        String trap = output("stderr");
        assertTrue(trap.startsWith("Program trapped: fuel_exceeded at "), trap);
        assertTrue(trap.endsWith(": the fuel budget of 400000 is used up\n"), trap);
        ExitedEventArguments x = client.exited.poll(60, TimeUnit.SECONDS);
        assertNotNull(x);
        assertEquals(1, x.getExitCode());
        assertNotNull(client.terminated.poll(60, TimeUnit.SECONDS));
        get(server.disconnect(new DisconnectArguments()));
    }

    @Test
    void aStackTraceOfADeepRunComesInPagesOfAtMostAThousandFrames(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // down(n) recurses to n = 0, where line 9 traps; 3,000 levels under main: 3,002 frames
        Path deep = dir.resolve("deep.tasm");
        java.nio.file.Files.writeString(deep, String.join("\n",
                "program deep",
                "func main(n: i64) -> (r: i64) {",
                "    call r0, down, r0, [r1] -> [r1]",
                "    ret r0, [r1]",
                "}",
                "func down(n: i64) -> (r: i64) {",
                "    const.i64 r2, 0",
                "    i64.eq r3, r1, r2",
                "    br r3, bottom, more",
                "bottom:",
                "    trap 7",
                "more:",
                "    const.i64 r2, 1",
                "    i64.sub r1, r1, r2",
                "    call r0, down, r0, [r1] -> [r1]",
                "    ret r0, [r1]",
                "}",
                ""));
        Map<String, Object> args = new HashMap<>();
        args.put("program", deep.toString());
        args.put("args", List.of("i64:3000"));
        args.put("max-call-depth", 3010.0);
        connect();
        Capabilities caps = get(server.initialize(new InitializeRequestArguments()));
        assertTrue(caps.getSupportsDelayedStackTraceLoading());
        get(server.launch(args));
        SetBreakpointsArguments b = new SetBreakpointsArguments();
        SourceBreakpoint line = new SourceBreakpoint();
        line.setLine(11);
        b.setBreakpoints(new SourceBreakpoint[] {line});
        assertTrue(get(server.setBreakpoints(b)).getBreakpoints()[0].isVerified());
        get(server.configurationDone(new ConfigurationDoneArguments()));
        stop("breakpoint");

        StackTraceArguments all = new StackTraceArguments();
        all.setThreadId(DapServer.THREAD_ID);
        var first = get(server.stackTrace(all));
        assertEquals(3002, first.getTotalFrames());
        assertEquals(DapServer.MAX_STACK_FRAMES, first.getStackFrames().length, "levels absent: at most 1,000");
        assertEquals(11, first.getStackFrames()[0].getLine());
        StackTraceArguments more = new StackTraceArguments();
        more.setThreadId(DapServer.THREAD_ID);
        more.setStartFrame(1000);
        more.setLevels(5000);
        var second = get(server.stackTrace(more));
        assertEquals(DapServer.MAX_STACK_FRAMES, second.getStackFrames().length, "levels 5,000: at most 1,000");
        assertEquals(1001, second.getStackFrames()[0].getId());
        more.setStartFrame(3000);
        more.setLevels(0);
        var last = get(server.stackTrace(more));
        assertEquals(2, last.getStackFrames().length);
        assertEquals("main pc 0", last.getStackFrames()[1].getName());
        get(server.disconnect(new DisconnectArguments()));
    }

    @Test
    void requestsWithoutTheirArgumentsGetOneLineErrorsNotJavaExceptions() throws Exception {
        Map<String, Object> args = new HashMap<>();
        args.put("program", program.toString());
        args.put("args", List.of("i64:3"));
        args.put("stopOnEntry", true);
        launch(args);
        get(server.configurationDone(new ConfigurationDoneArguments()));
        stop("entry");
        List<CompletableFuture<?>> calls = List.of(server.scopes(null), server.variables(null),
                server.stackTrace(null), server.setBreakpoints(null));
        for (CompletableFuture<?> f : calls) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> get(f));
            assertEquals("the request has no arguments; the protocol requires them", e.getCause().getMessage());
        }
        SetBreakpointsArguments b = new SetBreakpointsArguments();
        Source nul = new Source();
        nul.setPath("loop\u0000.tasm");
        b.setSource(nul);
        b.setBreakpoints(new SourceBreakpoint[] {new SourceBreakpoint()});
        assertFalse(get(server.setBreakpoints(b)).getBreakpoints()[0].isVerified(), "a path Java cannot read");
        b.setSource(new Source());
        b.setBreakpoints(new SourceBreakpoint[] {null});
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> get(server.setBreakpoints(b)));
        assertEquals("a breakpoint of the request is null", e.getCause().getMessage());
        get(server.disconnect(new DisconnectArguments()));
    }

    @Test
    void aLaunchThatFailsGetsAnErrorResponse() throws Exception {
        connect();
        get(server.initialize(new InitializeRequestArguments()));
        Map<String, Object> args = new HashMap<>();
        args.put("stopOnEntry", true);
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> get(server.launch(args)));
        assertTrue(e.getCause().getMessage().contains("\"program\""), e.getCause().getMessage());
        get(server.disconnect(new DisconnectArguments()));
    }
}
