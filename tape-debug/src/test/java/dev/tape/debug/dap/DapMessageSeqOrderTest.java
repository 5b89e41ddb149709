package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code seq} of the messages the server writes: the protocol makes the first 1 and each next
 * one 1 greater. LSP4J numbered a message when it made it, on whichever thread answered (the
 * debugger's worker, LSP4J's reader for {@code threads}, {@code pause} and the requests it refuses),
 * and the threads wrote in another order: seq 13 came before 12 in 34 of 40 batches of requests
 * answered on all three (stackTrace, a request without a seq, threads). The messages are numbered as
 * they are written.
 */
@Timeout(300)
class DapMessageSeqOrderTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    @Test
    void theServersMessagesAreNumberedOneByOneInTheOrderWritten() throws Exception {
        for (int run = 0; run < 20; run++) {
            List<String> batch = DapWireTest.opening(program);
            for (int i = 0; i < 30; i++) {
                batch.add("{\"seq\":" + (100 + 2 * i) + ",\"type\":\"request\",\"command\":\"stackTrace\","
                        + "\"arguments\":{\"threadId\":1}}");
                batch.add("{\"type\":\"request\",\"command\":\"next\",\"arguments\":{\"threadId\":1}}");
                batch.add("{\"seq\":" + (101 + 2 * i) + ",\"type\":\"request\",\"command\":\"threads\"}");
            }
            List<Integer> seqs = new ArrayList<>();
            List<Integer> want = new ArrayList<>();
            for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
                seqs.add(m.get("seq").getAsInt());
                want.add(want.size() + 1);
            }
            assertEquals(3 + 1 + 1 + 90, seqs.size(), "3 answers, initialized, stopped, 90 answers");
            assertEquals(want, seqs, "run " + run);
        }
    }
}
