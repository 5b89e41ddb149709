package dev.tape.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * The picocli factory of every {@code tape} command line: for {@code List} (the collection picocli
 * asks for when a repeatable option such as {@code tape run --arg} first gets a value) a new
 * {@link ArrayList}, as picocli's default factory gives; for any other class picocli's own default
 * factory ({@link CommandLine#defaultFactory()}), made on the first such call and used for every
 * later one, so what picocli creates and how it fails are picocli's.
 *
 * <p>Why not picocli's default factory itself: its class's static initialiser looks up Groovy's
 * closure class by name ({@code Class.forName("groovy.lang.Closure")}), which the jar does not
 * hold. A class the class-data sharing archive or AOT cache does not have is looked for on the
 * class path, so that lookup opened the 4.5 MB jar from Java code in every cold {@code tape run}:
 * its central directory read and hashed, the manifest inflated, on the main thread and in
 * HotSpot's bytecode interpreter (docs/PERFORMANCE-LOG.md, "Cold start, twenty-first round"). The
 * programmatic {@code tape} and {@code tape run} models ({@link TapeSpec}, {@link RunSpec}) ask
 * their factory for nothing but {@code --arg}'s list, so a {@code tape run} no longer initialises
 * that class ({@code LazyFactoryTest});
 * an annotated subcommand still does, through picocli's static helpers, as before.
 */
final class LazyFactory implements CommandLine.IFactory {
    /** Picocli's default factory, made on first use; null until then. */
    private CommandLine.IFactory delegate;

    /**
     * Creates an instance of {@code cls} as picocli's default factory does (a converter, a version
     * provider, a collection of an option's type, an annotated command's object): a new
     * {@link ArrayList} for {@code List} (picocli's for an interface assignable to {@code List}:
     * the jar holds no Groovy, whose closures alone it treats otherwise), else picocli's.
     *
     * @param <K> the type to create
     * @param cls the class to create an instance of
     * @return the instance picocli's default factory returns
     * @throws Exception what picocli's default factory throws (its class has no usable constructor,
     *     the constructor fails)
     */
    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (cls == List.class) {
            return cls.cast(new ArrayList<>());
        }
        CommandLine.IFactory d = delegate;
        if (d == null) {
            d = CommandLine.defaultFactory();
            delegate = d;
        }
        return d.create(cls);
    }
}
