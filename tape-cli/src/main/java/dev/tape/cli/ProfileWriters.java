package dev.tape.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a profile's call tree ({@link CallTree}: a {@link FuelProfile}'s fuel units or a
 * {@link WallProfile}'s microseconds) in three formats: a self-contained flame graph SVG, Brendan
 * Gregg's collapsed stacks (one {@code frame;frame;frame count} line per stack), and speedscope's
 * JSON file format ({@code https://www.speedscope.app/file-format-schema.json}, a "sampled"
 * profile whose samples are the distinct stacks, weighted by their fuel or time).
 *
 * <p>Frame names were escaped for one line when the tree was built ({@link Escape#text}); the SVG
 * escapes them again for XML, and the collapsed format writes a {@code ;} inside a name as
 * {@code \u003b}. The SVG's walk is bounded by the tree's size, which {@link CallTree} bounds; it
 * leaves out frames narrower than {@link #MIN_WIDTH} pixels (and their callees). The collapsed
 * stacks and the speedscope file repeat every stack's frames, so they grow as frames times depth:
 * {@link #requireWritable} refuses a tree that would make them too large.
 */
final class ProfileWriters {
    private ProfileWriters() {}

    /** The SVG's width in pixels. */
    static final int WIDTH = 1200;
    /** The height of one frame in pixels. */
    static final int FRAME_HEIGHT = 16;
    /** Frames narrower than this many pixels are not drawn. */
    static final double MIN_WIDTH = 0.1;
    private static final int MARGIN = 10;
    private static final int TOP = 50;
    private static final double CHAR_WIDTH = 7.2;

    /** One stack with its own fuel: the frames from the outermost (never the root) to the leaf. */
    record Stack(List<CallTree.Node> frames, long fuel) {}

    /** @return the fuel of each frame with its callees, for every frame of the tree */
    static Map<CallTree.Node, Long> totals(CallTree.Node root) {
        Map<CallTree.Node, Long> out = new IdentityHashMap<>();
        // post-order without recursion: the tree's depth is the run's (bounded) stack depth
        List<CallTree.Node> order = new ArrayList<>();
        List<CallTree.Node> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            CallTree.Node n = todo.remove(todo.size() - 1);
            order.add(n);
            todo.addAll(n.sortedChildren());
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            CallTree.Node n = order.get(i);
            long t = n.self;
            for (CallTree.Node c : n.sortedChildren()) {
                t += out.get(c);
            }
            out.put(n, t);
        }
        return out;
    }

    /**
     * The most frames all the stacks' paths may hold together: {@link #stacks} keeps a path per
     * frame of the tree, and the speedscope file lists every stack's frames. A tree within
     * {@code --max-stacks} can still exceed it: its size grows as frames times depth (a 4,000-deep
     * recursion makes 4,000 stacks of 2,000 frames on average).
     */
    static final long MAX_PATH_FRAMES = 1L << 24;
    /** The most characters of the collapsed stacks, which repeat every frame's name on each stack under it. */
    static final long MAX_COLLAPSED_CHARS = 1L << 28;

    /**
     * Refuses a tree whose collapsed stacks or speedscope file would be too large to build: the
     * stacks' paths over {@link #MAX_PATH_FRAMES} frames in all, or the collapsed stacks over
     * {@link #MAX_COLLAPSED_CHARS} characters. Costs one walk of the tree, without building a path.
     *
     * @param root the tree
     * @param collapsed whether the collapsed stacks are to be written (else only the speedscope file)
     * @throws CliException when it is too large, naming its size and what lowers it
     */
    static void requireWritable(CallTree.Node root, boolean collapsed) throws CliException {
        long frames = 0;
        long chars = root.self > 0 ? root.name.length() + 2 + Long.toString(root.self).length() : 0;
        List<CallTree.Node> todo = new ArrayList<>(List.of(root));
        List<long[]> at = new ArrayList<>(); // per entry of todo: its depth and its path's characters
        at.add(new long[] {0, 0});
        while (!todo.isEmpty()) {
            CallTree.Node n = todo.remove(todo.size() - 1);
            long[] where = at.remove(at.size() - 1);
            for (CallTree.Node c : n.sortedChildren()) {
                long depth = where[0] + 1;
                long prefix = where[1] + (depth > 1 ? 1 : 0) + collapsedName(c).length();
                frames += depth;
                if (c.self > 0) {
                    chars += prefix + 2 + Long.toString(c.self).length();
                }
                todo.add(c);
                at.add(new long[] {depth, prefix});
            }
            if (frames > MAX_PATH_FRAMES || (collapsed && chars > MAX_COLLAPSED_CHARS)) {
                String what = frames > MAX_PATH_FRAMES ? "the stacks' paths hold more than " + MAX_PATH_FRAMES
                        + " frames" : "the collapsed stacks take more than " + MAX_COLLAPSED_CHARS + " characters";
                throw new CliException("tape profile: the profile is too large to write as "
                        + (collapsed ? "collapsed stacks or speedscope" : "speedscope") + ": " + what
                        + " (deep stacks repeat their frames); lower --max-depth or --max-stacks, or write the SVG "
                        + "(-o) only");
            }
        }
    }

    /** @return every stack with fuel of its own, in depth-first order of names */
    static List<Stack> stacks(CallTree.Node root) {
        List<Stack> out = new ArrayList<>();
        List<List<CallTree.Node>> todo = new ArrayList<>();
        for (CallTree.Node c : reversed(root.sortedChildren())) {
            todo.add(List.of(c));
        }
        while (!todo.isEmpty()) {
            List<CallTree.Node> path = todo.remove(todo.size() - 1);
            CallTree.Node leaf = path.get(path.size() - 1);
            if (leaf.self > 0) {
                out.add(new Stack(path, leaf.self));
            }
            for (CallTree.Node c : reversed(leaf.sortedChildren())) {
                List<CallTree.Node> p = new ArrayList<>(path);
                p.add(c);
                todo.add(p);
            }
        }
        if (root.self > 0) {
            out.add(new Stack(List.of(), root.self));
        }
        return out;
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }

    /**
     * @param root the tree
     * @return the collapsed stacks, one line each ({@code fib;fib;fib 120}), every line ending in
     *     {@code \n}; the counts sum to the tree's total fuel
     */
    static String collapsed(CallTree.Node root) {
        StringBuilder b = new StringBuilder();
        for (Stack s : stacks(root)) {
            if (s.frames().isEmpty()) {
                b.append(collapsedName(root));
            }
            for (int i = 0; i < s.frames().size(); i++) {
                b.append(i > 0 ? ";" : "").append(collapsedName(s.frames().get(i)));
            }
            b.append(' ').append(s.fuel()).append('\n');
        }
        return b.toString();
    }

    private static String collapsedName(CallTree.Node n) {
        return n.name.replace(";", "\\u003b");
    }

    /**
     * @param root the tree
     * @param name the profile's name (the program file)
     * @param unitNote what one unit of weight is, for the exporter field
     * @return speedscope's JSON: shared frames, one sampled profile weighted in fuel units
     */
    static String speedscope(CallTree.Node root, String name, String unitNote) {
        return speedscope(root, name, unitNote, "none", 1);
    }

    /**
     * @param root the tree
     * @param name the profile's name (the program file)
     * @param unitNote what one unit of weight is, for the profile's name
     * @param unit speedscope's value unit: {@code none}, or a time unit such as {@code microseconds}
     * @param perWeight the value of one unit of a frame's weight in {@code unit}s, 1 or more (a
     *     sample's interval); values saturate at {@code Long.MAX_VALUE}
     * @return speedscope's JSON: shared frames, one sampled profile weighted in {@code unit}s
     */
    static String speedscope(CallTree.Node root, String name, String unitNote, String unit, long perWeight) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode doc = m.createObjectNode();
        doc.put("$schema", "https://www.speedscope.app/file-format-schema.json");
        ArrayNode frames = doc.putObject("shared").putArray("frames");
        Map<String, Integer> index = new HashMap<>();
        ObjectNode profile = m.createObjectNode();
        profile.put("type", "sampled");
        profile.put("name", name + " (" + unitNote + ")");
        profile.put("unit", unit);
        profile.put("startValue", 0);
        ArrayNode samples = profile.putArray("samples");
        ArrayNode weights = profile.putArray("weights");
        long total = 0;
        for (Stack s : stacks(root)) {
            ArrayNode sample = samples.addArray();
            List<CallTree.Node> path = s.frames().isEmpty() ? List.of(root) : s.frames();
            for (CallTree.Node f : path) {
                Integer i = index.get(f.name);
                if (i == null) {
                    i = index.size();
                    index.put(f.name, i);
                    frames.addObject().put("name", f.name);
                }
                sample.add(i);
            }
            long v = saturatedProduct(s.fuel(), perWeight);
            weights.add(v);
            total = total + v < 0 ? Long.MAX_VALUE : total + v;
        }
        profile.put("endValue", total);
        doc.putArray("profiles").add(profile);
        doc.put("name", name);
        doc.put("activeProfileIndex", 0);
        doc.put("exporter", "tape profile");
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private static long saturatedProduct(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /**
     * {@link #svg(CallTree.Node, String, String, String, String)} of a fuel profile: weights are {@code fuel}.
     *
     * @param root the tree
     * @param title the graph's title
     * @param subtitle the line under it
     * @return the SVG
     */
    static String svg(CallTree.Node root, String title, String subtitle) {
        return svg(root, title, subtitle, "fuel", "data-fuel");
    }

    /**
     * @param root the tree
     * @param title the graph's title
     * @param subtitle the line under it
     * @param unit what a frame's weight counts, for its tooltip ({@code fuel}, {@code \u00b5s})
     * @param attribute the name of the attribute that holds a frame's weight ({@code data-fuel}),
     *     an XML name
     * @return a self-contained SVG flame graph: the root ({@code all}) at the bottom, callees above
     *     their callers, widths in proportion to weight, a tooltip ({@code <title>}) on every frame
     *     with its name, weight and share ({@code fib (120 fuel, 3.20%)}), and the attribute with its
     *     weight ({@code data-fuel="120"})
     */
    static String svg(CallTree.Node root, String title, String subtitle, String unit, String attribute) {
        Map<CallTree.Node, Long> totals = totals(root);
        long total = totals.get(root);
        double scale = total == 0 ? 0 : (WIDTH - 2.0 * MARGIN) / total;
        // frames to draw, breadth first with their x and level
        record Box(CallTree.Node node, double x, int level) {}
        List<Box> boxes = new ArrayList<>();
        List<Box> todo = new ArrayList<>(List.of(new Box(root, MARGIN, 0)));
        int levels = 1;
        while (!todo.isEmpty()) {
            Box b = todo.remove(todo.size() - 1);
            boxes.add(b);
            levels = Math.max(levels, b.level() + 1);
            double x = b.x();
            for (CallTree.Node c : b.node().sortedChildren()) {
                double w = totals.get(c) * scale;
                if (w >= MIN_WIDTH) {
                    todo.add(new Box(c, x, b.level() + 1));
                }
                x += w;
            }
        }
        int height = TOP + levels * FRAME_HEIGHT + MARGIN;
        StringBuilder s = new StringBuilder(256 + boxes.size() * 200);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" font-family=\"Verdana, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        s.append("<title>").append(xml(title)).append("</title>\n");
        s.append("<style>g.f:hover rect { stroke: #000; stroke-width: 0.7; } text { pointer-events: none; }</style>\n");
        s.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" fill=\"#fdfcf7\"/>\n");
        s.append("<text x=\"").append(WIDTH / 2).append("\" y=\"22\" text-anchor=\"middle\" font-size=\"17\">")
                .append(xml(title)).append("</text>\n");
        s.append("<text x=\"").append(WIDTH / 2).append("\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">")
                .append(xml(subtitle)).append("</text>\n");
        for (Box b : boxes) {
            CallTree.Node n = b.node();
            long fuel = totals.get(n);
            double w = fuel * scale;
            double y = height - MARGIN - (b.level() + 1) * FRAME_HEIGHT;
            String pct = total == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.2f", 100.0 * fuel / total);
            s.append("<g class=\"f\" ").append(attribute).append("=\"").append(fuel).append("\"><title>")
                    .append(xml(n.name)).append(" (").append(fuel).append(' ').append(xml(unit)).append(", ").append(pct)
                    .append("%)</title>");
            s.append("<rect x=\"").append(fmt(b.x())).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                    .append(fmt(w)).append("\" height=\"").append(FRAME_HEIGHT - 1).append("\" rx=\"2\" fill=\"")
                    .append(colour(n)).append("\"/>");
            int chars = (int) ((w - 6) / CHAR_WIDTH);
            if (chars >= 3) {
                String label = n.name.length() <= chars ? n.name : n.name.substring(0, chars - 2) + "..";
                s.append("<text x=\"").append(fmt(b.x() + 3)).append("\" y=\"").append(fmt(y + FRAME_HEIGHT - 4))
                        .append("\">").append(xml(label)).append("</text>");
            }
            s.append("</g>\n");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** A warm colour per name (stable from run to run), blue for host frames, grey for the fold frames. */
    static String colour(CallTree.Node n) {
        if (n.name.startsWith("[") && !n.host) {
            return "rgb(190,190,190)";
        }
        int h = 0x811c9dc5;
        for (int i = 0; i < n.name.length(); i++) {
            h = (h ^ n.name.charAt(i)) * 0x01000193;
        }
        int a = (h >>> 8) & 0xff;
        int b = (h >>> 16) & 0xff;
        if (n.host) {
            return "rgb(" + (60 + a % 60) + "," + (150 + b % 60) + ",230)";
        }
        return "rgb(" + (220 + a % 36) + "," + (90 + b % 120) + "," + (30 + (h & 0xff) % 40) + ")";
    }

    /** Escapes text for XML character data and attribute values. */
    static String xml(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    // XML 1.0 allows no C0 control but tab, newline and return; Escape has removed them, but be sure
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        b.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
