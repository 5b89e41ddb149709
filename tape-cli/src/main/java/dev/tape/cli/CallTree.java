package dev.tape.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A profile's call tree, bounded in size: frames with a weight of their own ({@link Node#self}:
 * fuel units, or samples), callees under their callers. The {@link FuelProfile} and the
 * {@link WallProfile} build one; {@link ProfileWriters} writes it.
 *
 * <p><b>Bounded memory.</b> Once the tree holds {@code maxNodes} frames, a new frame's weight goes
 * to an {@code [other]} frame of its parent (at most one per frame, so never more than
 * {@code 2 x maxNodes + 1} in all); a frame marked as a sink ({@code [other]},
 * {@code [deeper frames]}) takes its callees' weight itself.
 */
abstract class CallTree {
    /** The name of the frame deeper stacks fold into. */
    static final String DEEPER = "[deeper frames]";

    /** One frame of the call tree: weight spent in it (self) and its callees. */
    static final class Node {
        final String name;
        final boolean host;
        long self;
        /** null until the first child; keyed by frame key */
        Map<Object, Node> children;
        Node other;
        /** an [other] or [deeper frames] frame: its children fold into itself */
        final boolean sink;

        Node(String name, boolean host, boolean sink) {
            this.name = name;
            this.host = host;
            this.sink = sink;
        }

        /** @return the callees, sorted by name for a deterministic layout */
        List<Node> sortedChildren() {
            List<Node> out = new ArrayList<>();
            if (children != null) {
                out.addAll(children.values());
            }
            if (other != null) {
                out.add(other);
            }
            out.sort(Comparator.comparing((Node n) -> n.name).thenComparing(n -> n.host));
            return out;
        }
    }

    private final int maxNodes;
    private final Node root = new Node("all", false, false);
    private int nodes = 1;

    /** @param maxNodes the most frames before new ones fold into {@code [other]}, 1 or more */
    CallTree(int maxNodes) {
        this.maxNodes = maxNodes;
    }

    /** @return the root frame ({@code all}) */
    final Node root() {
        return root;
    }

    /** @return the frames in the tree, the root included */
    final int nodeCount() {
        return nodes;
    }

    /**
     * The name of a frame made for {@code key} when {@link #child} is given no name.
     *
     * @param key the frame's key
     * @return its name, escaped for one line
     */
    abstract String frameName(Object key);

    /**
     * The child of {@code parent} for {@code key}, made when new (or the parent's [other] when full).
     *
     * @param parent the caller's frame
     * @param key the callee's key among the parent's children
     * @param name the callee's name, or null for {@link #frameName}
     * @param host whether the callee is a host function's leaf
     * @return the frame
     */
    final Node child(Node parent, Object key, String name, boolean host) {
        if (parent.sink) {
            return parent;
        }
        Node c = parent.children == null ? null : parent.children.get(key);
        if (c != null) {
            return c;
        }
        if (nodes >= maxNodes) {
            if (parent.other == null) {
                parent.other = new Node("[other]", false, true);
                nodes++;
            }
            return parent.other;
        }
        if (parent.children == null) {
            parent.children = new HashMap<>();
        }
        c = new Node(name != null ? name : frameName(key), host, DEEPER.equals(name));
        parent.children.put(key, c);
        nodes++;
        return c;
    }
}
