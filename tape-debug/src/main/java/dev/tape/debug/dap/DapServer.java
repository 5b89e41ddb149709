package dev.tape.debug.dap;

import dev.tape.debug.Breakpoint;
import dev.tape.debug.DebugException;
import dev.tape.debug.Session;
import dev.tape.debug.Target;
import dev.tape.debug.Text;
import dev.tape.vm.Trap;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.ContinueResponse;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.NextArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.PauseArguments;
import org.eclipse.lsp4j.debug.ReverseContinueArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.ScopesResponse;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StackTraceResponse;
import org.eclipse.lsp4j.debug.StepBackArguments;
import org.eclipse.lsp4j.debug.StepInArguments;
import org.eclipse.lsp4j.debug.StepOutArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.eclipse.lsp4j.debug.Thread;
import org.eclipse.lsp4j.debug.ThreadsResponse;
import org.eclipse.lsp4j.debug.Variable;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.VariablesArgumentsFilter;
import org.eclipse.lsp4j.debug.VariablesResponse;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code tape dap}: the debugger over the Debug Adapter Protocol (Eclipse LSP4J's debug module),
 * so VS Code or any DAP client can debug a {@code .tasm} program.
 *
 * <p>Requests: {@code initialize} (capabilities: configurationDone, stepBack, delayed stack trace
 * loading), {@code launch}
 * ({@link #runArgs}), {@code setBreakpoints} by {@code .tasm} line, {@code configurationDone}
 * (starts the program: stopped on entry when {@code stopOnEntry} is true, else run to a
 * breakpoint), {@code threads} (one thread, id 1), {@code stackTrace} (frames with source lines, at most
 * {@link #MAX_STACK_FRAMES} per response, with ids valid until the program moves),
 * {@code scopes} (one scope, the registers, counted as {@code indexedVariables}, with a
 * {@code variablesReference} valid until the program moves), {@code variables}
 * (registers as value literals, paged by {@code start} and {@code count}, at most
 * {@link #MAX_VARIABLES} per response, names and values cut to {@link #MAX_VARIABLE_CHARS}),
 * {@code next}, {@code stepIn} (one instruction), {@code stepOut}, {@code continue}, {@code pause},
 * {@code stepBack}, {@code reverseContinue} and {@code disconnect}. Events: {@code initialized},
 * {@code stopped}, {@code output} (the program's prints, category stdout; results and traps,
 * console and stderr), {@code exited} (0 when the program returned, 1 when it trapped) and
 * {@code terminated}.
 *
 * <p>The debugger runs on one worker thread: requests that move or inspect the run wait for it in
 * order, and a move's response is sent before its {@code stopped} event. {@code pause} alone acts
 * at once. A request that fails gets an error response with a one-line message and no body; every
 * other request of the protocol ({@code evaluate}, {@code setVariable}, ...) gets
 * {@code "unsupported request: NAME"} ({@code ServerEndpoint}). When the client's stream ends, each
 * request read before the end is still answered ({@link #serve}).
 */
public final class DapServer implements IDebugProtocolServer {
    /** The thread id of the one thread. */
    public static final int THREAD_ID = 1;

    /** Launch arguments passed on as {@code tape run} options of the same name. */
    public static final List<String> OPTIONS = List.of("entry", "fuel", "max-call-depth", "max-host-calls",
            "max-heap-bytes", "max-registers", "max-output-bytes", "host");

    /**
     * The most frames one {@code stackTrace} response holds: 1,000, also when the request asks for
     * all ({@code levels} 0 or absent) or for more. {@code totalFrames} gives the depth, and the
     * capabilities say {@code supportsDelayedStackTraceLoading}, so a client asks for the next
     * frames with {@code startFrame}.
     */
    public static final int MAX_STACK_FRAMES = 1000;

    /**
     * The most variables one {@code variables} response holds: 1,000, also when the request asks
     * for all ({@code count} 0 or absent) or for more. The registers scope gives the frame's
     * register count as {@code indexedVariables}, so a client pages through them with
     * {@code start} and {@code count} (VS Code asks for at most 100 at a time).
     */
    public static final int MAX_VARIABLES = 1000;

    /**
     * The most characters of a variable's name or value in a {@code variables} response: 256. A
     * value is its literal cut to {@link dev.tape.debug.Shell#MAX_VALUE_CHARS} (200) characters and
     * {@code ...}, as the CLI debugger shows it, then escaped; a name or value still longer (an
     * argument's name of 2,000 characters, a literal whose characters escape to six each) is cut
     * to at most 253 characters, where no escape or surrogate pair is split, and ends in
     * {@code ...}. With {@link #MAX_VARIABLES}, one response stays
     * under about 3.2 MB whatever the frame (each character JSON-escaped to 6 at most): 0.77 MB
     * measured for 1,000 values of 203 characters, half of them escaped to 6, where the whole
     * frame of 65,536 registers was one response of 51 MB.
     */
    public static final int MAX_VARIABLE_CHARS = 256;

    /**
     * The most seconds the server spends, once the client's stream has ended, answering the
     * requests it read before the end.
     */
    public static final int DRAIN_SECONDS = 10;

    /** Keeps the LSP4J logger (and so its level) alive: the library must not print on stderr. */
    private static final Logger LSP4J_LOG = Logger.getLogger("org.eclipse.lsp4j");

    private final TargetFactory factory;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        java.lang.Thread t = new java.lang.Thread(r, "tape-dap-debugger");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private IDebugProtocolClient client;
    private Session session;
    private PrintWriter programOut;
    private boolean stopOnEntry;
    /** Whether the client's stream has ended: a move still waiting is paused at once. */
    private volatile boolean closing;
    /** Whether a move runs on the worker: a pause asked for then stops it. */
    private volatile boolean moving;
    private String programPath;
    private final List<Integer> lineBreakpoints = new ArrayList<>();
    /** The variables references given since the program last moved (on the worker). */
    private final VariableRefs refs = new VariableRefs();
    /** The frame ids given since the program last moved (on the worker). */
    private final FrameIds frameIds = new FrameIds();

    /**
     * Makes a server that debugs the programs a factory makes.
     *
     * @param factory makes the program a launch request names
     */
    public DapServer(TargetFactory factory) {
        this.factory = factory;
    }

    /**
     * Serves one debugging session on a pair of streams and returns when the client disconnects or
     * closes its end. Every request read before the end is answered: when the client's stream ends,
     * the requests waiting for the debugger thread are still run and answered (a move among them is
     * paused at once: it answers and reports its stop without running the program on), for at most
     * {@link #DRAIN_SECONDS} seconds. Requests the server does not support, and any that fails, get
     * an error response with a one-line message and no body ({@code ServerEndpoint}). Each message is
     * written to {@code out} whole, and nothing is written to it once this method returns (a request
     * read after {@code disconnect} may then get no answer). Besides the calling thread it uses
     * daemon threads of its own only (the debugger's, and two named {@code tape-dap-io-N} for
     * LSP4J's message reader and the wait for it), so that it never keeps a JVM whose
     * {@code main} returned running.
     *
     * @param factory makes the program a launch request names
     * @param in the client's requests
     * @param out the responses and events
     * @throws InterruptedException when the thread is interrupted while serving
     */
    public static void serve(TargetFactory factory, InputStream in, OutputStream out) throws InterruptedException {
        LSP4J_LOG.setLevel(Level.OFF);
        DapServer server = new DapServer(factory);
        // whole messages only, and none once serve returns (see WholeMessages)
        WholeMessages whole = new WholeMessages(out);
        ExecutorService io = ioThreads();
        try {
            Launcher<IDebugProtocolClient> launcher = ServerEndpoint.launcher(server, in, whole, io);
            server.connect(launcher.getRemoteProxy());
            java.util.concurrent.Future<Void> listening = launcher.startListening();
            CompletableFuture<Object> either = CompletableFuture.anyOf(server.finished,
                    CompletableFuture.runAsync(() -> {
                        try {
                            listening.get();
                        } catch (InterruptedException | ExecutionException
                                | java.util.concurrent.CancellationException e) {
                            // the stream closed: the session is over
                        }
                    }, io));
            try {
                either.get();
            } catch (ExecutionException e) {
                // over either way
            } finally {
                listening.cancel(true);
                try {
                    server.drain();
                } finally {
                    whole.shut();
                }
            }
        } finally {
            // a reader still blocked on a stream the client keeps open stays so (a read is not
            // interruptible), but it is a daemon: it never keeps the JVM running
            io.shutdownNow();
        }
    }

    /** The most threads {@link #ioThreads} starts: LSP4J's reader and {@link #serve}'s waiter. */
    static final int IO_THREADS = 2;

    /**
     * The threads one {@link #serve} runs LSP4J's message reader on (LSP4J 0.24 submits that one
     * task to its executor; its default is a cached pool of non-daemon threads, which lived up to
     * 60 s past the session, or as long as the client kept its stream open) and the task that waits
     * for the reader to end (which {@code CompletableFuture.runAsync}'s common pool ran on a new
     * non-daemon thread on a machine of 2 CPUs). Daemon threads named {@code tape-dap-io-N}, at
     * most {@link #IO_THREADS}, so that a session never keeps a JVM whose {@code main} returned
     * running.
     */
    private static ExecutorService ioThreads() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newFixedThreadPool(IO_THREADS, r -> {
            java.lang.Thread t = new java.lang.Thread(r, "tape-dap-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Answers the requests still waiting for the worker, then stops it (at most {@link #DRAIN_SECONDS}). */
    private void drain() throws InterruptedException {
        closing = true;
        Session s = session;
        if (s != null && moving) {
            s.requestPause();
        }
        worker.shutdown();
        try {
            worker.awaitTermination(DRAIN_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            worker.shutdownNow();
        }
    }

    /**
     * Connects the server to its client.
     *
     * @param client the client to send events to
     */
    public void connect(IDebugProtocolClient client) {
        this.client = client;
    }

    /**
     * Tells when the debugging session is over.
     *
     * @return completes when the client has disconnected
     */
    public CompletableFuture<Void> finished() {
        return finished;
    }

    /**
     * Turns launch arguments into {@code tape run} arguments: {@code program} (a path, required)
     * first; {@code args} (a list of value literals, or one literal) as {@code --arg} each; then
     * each of {@link #OPTIONS} present as {@code --NAME VALUE} (a number, a string or a boolean).
     * Other keys ({@code type}, {@code request}, {@code name}, {@code stopOnEntry}, ...) are not
     * passed on.
     *
     * @param launch the launch request's arguments
     * @return the arguments
     * @throws DebugException when {@code program} is missing, not a string, or holds a NUL character
     *     (which no path can; Java would refuse it with an exception of its own)
     */
    public static List<String> runArgs(Map<String, Object> launch) throws DebugException {
        Object program = launch.get("program");
        if (!(program instanceof String p) || p.isEmpty()) {
            throw new DebugException("launch: \"program\" (the path of a .tasm or .tape file) is required");
        }
        if (p.indexOf('\0') >= 0) {
            throw new DebugException("launch: \"program\" holds a NUL character, which no file's path can");
        }
        List<String> out = new ArrayList<>();
        out.add(p);
        Object args = launch.get("args");
        if (args instanceof List<?> list) {
            for (Object a : list) {
                out.add("--arg");
                out.add(scalar(a));
            }
        } else if (args != null) {
            out.add("--arg");
            out.add(scalar(args));
        }
        for (String o : OPTIONS) {
            Object v = launch.get(o);
            if (v != null) {
                out.add("--" + o);
                out.add(scalar(v));
            }
        }
        return out;
    }

    /** A JSON scalar as text; a whole number read as a double is written without a fraction. */
    private static String scalar(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(v);
    }

    // ------------------------------------------------------------------ configuration

    @Override
    public CompletableFuture<Capabilities> initialize(InitializeRequestArguments args) {
        Capabilities c = new Capabilities();
        c.setSupportsConfigurationDoneRequest(true);
        c.setSupportsStepBack(true);
        c.setSupportsDelayedStackTraceLoading(true);
        c.setSupportsTerminateRequest(false);
        return CompletableFuture.completedFuture(c);
    }

    @Override
    public CompletableFuture<Void> launch(Map<String, Object> args) {
        return this.<Void>onWorker(() -> {
            List<String> runArgs = runArgs(args == null ? Map.of() : args);
            programOut = new PrintWriter(new OutputEvents(client, "stdout"), true);
            Target target = factory.create(runArgs, programOut);
            // the references and frame ids given to an earlier program end with it (see VariableRefs, FrameIds)
            refs.clear();
            frameIds.moved();
            session = new Session(target);
            stopOnEntry = Boolean.TRUE.equals(args.get("stopOnEntry"));
            programPath = runArgs.get(0);
            return null;
        }).thenApply(v -> {
            client.initialized();
            return null;
        });
    }

    @Override
    public CompletableFuture<SetBreakpointsResponse> setBreakpoints(SetBreakpointsArguments args) {
        return onWorker(() -> {
            requireLaunched();
            requireArguments(args);
            for (int id : lineBreakpoints) {
                session.delete(id);
            }
            lineBreakpoints.clear();
            SourceBreakpoint[] wanted = args.getBreakpoints() == null ? new SourceBreakpoint[0] : args.getBreakpoints();
            boolean ours = sameFile(args.getSource());
            List<org.eclipse.lsp4j.debug.Breakpoint> out = new ArrayList<>();
            for (SourceBreakpoint sb : wanted) {
                if (sb == null) {
                    throw new DebugException("a breakpoint of the request is null");
                }
                org.eclipse.lsp4j.debug.Breakpoint b = new org.eclipse.lsp4j.debug.Breakpoint();
                Breakpoint set = ours ? session.breakAtLine(sb.getLine()) : null;
                if (set == null) {
                    b.setVerified(false);
                    b.setLine(sb.getLine());
                    b.setMessage(ours ? "no instruction on this line or after it" : "not the program being debugged");
                } else {
                    lineBreakpoints.add(set.id());
                    b.setId(set.id());
                    b.setVerified(true);
                    b.setLine(set.line());
                    b.setSource(source());
                }
                out.add(b);
            }
            SetBreakpointsResponse r = new SetBreakpointsResponse();
            r.setBreakpoints(out.toArray(new org.eclipse.lsp4j.debug.Breakpoint[0]));
            return r;
        });
    }

    private boolean sameFile(Source s) {
        if (s == null || s.getPath() == null) {
            return true;
        }
        try {
            Path a = Path.of(s.getPath()).getFileName();
            Path b = Path.of(programPath).getFileName();
            return a != null && a.equals(b);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    @Override
    public CompletableFuture<Void> configurationDone(ConfigurationDoneArguments args) {
        return move(() -> stopOnEntry ? session.start() : session.run());
    }

    // ------------------------------------------------------------------ moving

    @Override
    public CompletableFuture<ContinueResponse> continue_(ContinueArguments args) {
        return move(() -> session.cont()).thenApply(v -> {
            ContinueResponse r = new ContinueResponse();
            r.setAllThreadsContinued(true);
            return r;
        });
    }

    @Override
    public CompletableFuture<Void> next(NextArguments args) {
        return move(() -> session.next());
    }

    @Override
    public CompletableFuture<Void> stepIn(StepInArguments args) {
        return move(() -> session.step(1));
    }

    @Override
    public CompletableFuture<Void> stepOut(StepOutArguments args) {
        return move(() -> session.finish());
    }

    @Override
    public CompletableFuture<Void> stepBack(StepBackArguments args) {
        return move(() -> session.reverseStep());
    }

    @Override
    public CompletableFuture<Void> reverseContinue(ReverseContinueArguments args) {
        return move(() -> session.reverseContinue());
    }

    @Override
    public CompletableFuture<Void> pause(PauseArguments args) {
        Session s = session;
        if (s != null && moving) {
            s.requestPause();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> disconnect(DisconnectArguments args) {
        // a move in progress stops; requests before this one are answered first; the response is
        // sent (on the worker, which completes it) before the session is over
        Session s = session;
        if (s != null && moving) {
            s.requestPause();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(done, () -> {
            awaitDependent(done);
            done.complete(null);
            finished.complete(null);
        });
        return done;
    }

    /** A move: checked on the worker, answered, then done, then its stop is reported. */
    private CompletableFuture<Void> move(Callable<Session.Stop> action) {
        CompletableFuture<Void> response = new CompletableFuture<>();
        execute(response, () -> {
            if (session == null) {
                response.completeExceptionally(error("the program is not launched"));
                return;
            }
            // the references and frame ids given while paused end with the move (see VariableRefs, FrameIds)
            refs.clear();
            frameIds.moved();
            // moving before closing is read: a drain that starts meanwhile sees it and pauses
            moving = true;
            session.clearPause();
            if (closing) {
                session.requestPause();
            }
            awaitDependent(response);
            response.complete(null);
            Session.Stop stop;
            try {
                stop = action.call();
            } catch (DebugException e) {
                console("error: " + e.getMessage() + "\n", "stderr");
                stop = null;
            } catch (Exception | StackOverflowError e) {
                console("error: internal error: " + e.getClass().getSimpleName() + "\n", "stderr");
                stop = null;
            }
            moving = false;
            report(stop);
        });
        return response;
    }

    /**
     * Waits (at most about a second) until LSP4J has attached its response sender to the future, so
     * that completing it sends the response now, on this thread, before any event this move sends.
     */
    private static void awaitDependent(CompletableFuture<?> f) {
        for (int i = 0; i < 1000 && f.getNumberOfDependents() == 0; i++) {
            try {
                java.lang.Thread.sleep(1);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sends what a stop means: a stopped event, or output, exited and terminated at the end. */
    private void report(Session.Stop stop) {
        programOut.flush();
        if (stop == null) {
            if (session.paused()) {
                stopped("step", null, null);
            }
            return;
        }
        switch (stop.reason()) {
            case RETURNED -> {
                console(session.returnedLine() + "\n", "console");
                end(0);
            }
            case TRAPPED -> {
                Trap t = session.trap();
                console("Program trapped: " + t.label() + " at " + session.place(t.func(), t.pc())
                        + (t.detail() == null ? "" : ": " + Text.escape(t.detail())) + "\n", "stderr");
                end(1);
            }
            case ENTRY -> stopped("entry", null, null);
            case BREAKPOINT -> stopped("breakpoint", null, stop.breakpoint().id());
            case WATCH -> stopped("data breakpoint", null, stop.breakpoint().id());
            case PAUSE -> stopped("pause", null, null);
            case HISTORY_START -> stopped("step", "No more reverse-execution history", null);
            default -> stopped("step", null, null);
        }
    }

    private void stopped(String reason, String description, Integer breakpoint) {
        StoppedEventArguments e = new StoppedEventArguments();
        e.setReason(reason);
        e.setThreadId(THREAD_ID);
        e.setAllThreadsStopped(true);
        if (description != null) {
            e.setDescription(description);
        }
        if (breakpoint != null) {
            e.setHitBreakpointIds(new Integer[] {breakpoint});
        }
        client.stopped(e);
    }

    private void end(int exitCode) {
        ExitedEventArguments x = new ExitedEventArguments();
        x.setExitCode(exitCode);
        client.exited(x);
        client.terminated(new TerminatedEventArguments());
    }

    private void console(String text, String category) {
        OutputEventArguments e = new OutputEventArguments();
        e.setCategory(category);
        e.setOutput(text);
        client.output(e);
    }

    // ------------------------------------------------------------------ inspecting

    @Override
    public CompletableFuture<ThreadsResponse> threads() {
        Thread t = new Thread();
        t.setId(THREAD_ID);
        t.setName("main");
        ThreadsResponse r = new ThreadsResponse();
        r.setThreads(new Thread[] {t});
        return CompletableFuture.completedFuture(r);
    }

    @Override
    public CompletableFuture<StackTraceResponse> stackTrace(StackTraceArguments args) {
        return onWorker(() -> {
            requirePaused();
            requireArguments(args);
            int depth = session.depth();
            int from = args.getStartFrame() == null ? 0 : Math.max(0, args.getStartFrame());
            int levels = args.getLevels() == null || args.getLevels() <= 0 ? MAX_STACK_FRAMES
                    : Math.min(args.getLevels(), MAX_STACK_FRAMES);
            int to = (int) Math.min(depth, (long) from + levels);
            List<StackFrame> frames = new ArrayList<>();
            for (int f = from; f < to; f++) {
                StackFrame sf = new StackFrame();
                sf.setId(frameIds.of(f, depth));
                int func = session.frameFunc(f);
                int pc = session.framePc(f);
                sf.setName(Text.escape(session.target().functionName(func)) + " pc " + pc);
                int line = session.frameLine(f);
                if (line > 0) {
                    sf.setSource(source());
                    sf.setLine(line);
                    sf.setColumn(1);
                } else {
                    sf.setLine(0);
                    sf.setColumn(0);
                }
                sf.setInstructionPointerReference(func + ":" + pc);
                frames.add(sf);
            }
            StackTraceResponse r = new StackTraceResponse();
            r.setStackFrames(frames.toArray(new StackFrame[0]));
            r.setTotalFrames(depth);
            return r;
        });
    }

    private Source source() {
        Source s = new Source();
        Path p = Path.of(programPath);
        s.setName(p.getFileName() == null ? programPath : p.getFileName().toString());
        s.setPath(p.toAbsolutePath().toString());
        return s;
    }

    @Override
    public CompletableFuture<ScopesResponse> scopes(ScopesArguments args) {
        return onWorker(() -> {
            requirePaused();
            requireArguments(args);
            int frame = frameIds.frame(args.getFrameId(), session.depth());
            Scope s = new Scope();
            s.setName("Registers");
            s.setPresentationHint("registers");
            s.setVariablesReference(refs.of(frame));
            s.setIndexedVariables(session.registerCount(frame));
            s.setExpensive(false);
            ScopesResponse r = new ScopesResponse();
            r.setScopes(new Scope[] {s});
            return r;
        });
    }

    @Override
    public CompletableFuture<VariablesResponse> variables(VariablesArguments args) {
        return onWorker(() -> {
            requirePaused();
            requireArguments(args);
            int frame = refs.frame(args.getVariablesReference());
            int total = session.registerCount(frame);
            // the registers are the scope's indexed variables: it has no named ones
            boolean none = args.getFilter() == VariablesArgumentsFilter.NAMED;
            int from = Math.min(total, args.getStart() == null ? 0 : Math.max(0, args.getStart()));
            int count = args.getCount() == null || args.getCount() <= 0 ? MAX_VARIABLES
                    : Math.min(args.getCount(), MAX_VARIABLES);
            int to = none ? from : (int) Math.min(total, (long) from + count);
            List<Variable> vars = new ArrayList<>();
            for (Session.Register reg : session.registers(frame, from, to)) {
                Variable v = new Variable();
                v.setName(cut(Session.regName(reg)));
                v.setValue(cut(Session.valueText(reg.value())));
                v.setType(reg.type().toString());
                v.setVariablesReference(0);
                v.setEvaluateName("r" + reg.index());
                vars.add(v);
            }
            VariablesResponse r = new VariablesResponse();
            r.setVariables(vars.toArray(new Variable[0]));
            return r;
        });
    }

    /**
     * @param s escaped text
     * @return {@code s}, or when longer than {@link #MAX_VARIABLE_CHARS} its first 253 characters
     *     or fewer, cut where no escape ({@code \}{@code u} and four hex digits, or two characters)
     *     and no surrogate pair is split ({@link Text#boundary}), and {@code ...}
     */
    static String cut(String s) {
        if (s.length() <= MAX_VARIABLE_CHARS) {
            return s;
        }
        return s.substring(0, Text.boundary(s, MAX_VARIABLE_CHARS - 3)) + "...";
    }

    // ------------------------------------------------------------------ plumbing

    /** Runs an inspection on the worker thread; a failure becomes an error response. */
    private <T> CompletableFuture<T> onWorker(Callable<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(f, () -> {
            try {
                f.complete(action.call());
            } catch (DebugException e) {
                f.completeExceptionally(error(e.getMessage()));
            } catch (Exception | StackOverflowError e) {
                f.completeExceptionally(error("internal error: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + Text.escape(e.getMessage()))));
            }
        });
        return f;
    }

    /**
     * Queues a request's work for the worker; once the session is over (the worker shut down, as
     * for a request read just after {@code disconnect}) the request fails with a one-line error.
     */
    private void execute(CompletableFuture<?> response, Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            response.completeExceptionally(error("the session is over"));
        }
    }

    private static ResponseErrorException error(String message) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidRequest, message, null));
    }

    private void requireLaunched() throws DebugException {
        if (session == null) {
            throw new DebugException("the program is not launched");
        }
    }

    /** A request whose arguments the protocol requires, sent without them, gets an error response. */
    private static void requireArguments(Object args) throws DebugException {
        if (args == null) {
            throw new DebugException("the request has no arguments; the protocol requires them");
        }
    }

    private void requirePaused() throws DebugException {
        requireLaunched();
        if (!session.paused()) {
            throw new DebugException("the program is not paused");
        }
    }
}
