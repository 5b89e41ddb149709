package dev.tape.program;

import java.util.List;

/**
 * {@link ProgramDecoder}'s shared tables, in a class of their own so that the decoder, an entry an
 * embedder may call first with almost no Java stack left, has no static initialiser (see
 * {@link dev.tape.classinit.ClassInit}, which initialises this class up front).
 */
final class DecoderTables {
    private DecoderTables() {}

    /** the container's magic and version bytes */
    static final byte[] MAGIC = {'E', 'X', 'T', 'A', 'P', 'E', 0, 0};

    // Constants, span entries and struct types of the smallest encodings are shared, not made per
    // entry: a file of such entries would otherwise keep 10 to 25 bytes of heap per byte.
    static final Constant UNIT = new Constant.Unit();
    static final Constant TRUE = new Constant.Bool(true);
    static final Constant FALSE = new Constant.Bool(false);
    /** i64 constants from -64 to 63 and u64 constants below 64 (one LEB128 byte) are shared */
    static final int SMALL = 64;
    static final Constant[] SMALL_I64 = new Constant[2 * SMALL];
    static final Constant[] SMALL_U64 = new Constant[SMALL];
    /** span entries whose pc delta and span id are below 128 (one LEB128 byte each) are shared */
    static final SpanEntry[] SMALL_SPANS = new SpanEntry[128 * 128];
    static final StructType NO_FIELDS = new StructType(List.of());

    static {
        for (int i = 0; i < 2 * SMALL; i++) {
            SMALL_I64[i] = new Constant.I64(i - SMALL);
        }
        for (int i = 0; i < SMALL; i++) {
            SMALL_U64[i] = new Constant.U64(i);
        }
        for (int d = 0; d < 128; d++) {
            for (int id = 1; id < 128; id++) {
                SMALL_SPANS[d * 128 + id] = new SpanEntry(d, id);
            }
        }
    }

    /**
     * Fields of a field-name id below 128 and a type other than obj, and structs of one such field,
     * made when first decoded and then shared (a race makes at most an equal copy).
     */
    static final int KINDS = ValueKind.values().length;
    static final StructType.Field[] SMALL_FIELDS = new StructType.Field[128 * KINDS];
    static final StructType[] ONE_FIELD = new StructType[128 * KINDS];
}
