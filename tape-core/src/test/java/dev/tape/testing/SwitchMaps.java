package dev.tape.testing;

import java.util.Arrays;

/**
 * Tells a class name of {@code ClassInit}'s lists that the javac of this build does not generate
 * from a wrong one. JDK 17's javac makes a switch-map class ({@code Outer$N}) for a switch over an
 * enum of the switch's own nest, as {@code LinkException.Problem.describe}'s over
 * {@code LinkException.Reason} ({@code LinkException$1}); JDK 25's does not (it switches on the
 * ordinal). {@link Probe} shows which javac compiled it, and so tape-core, in the same build.
 */
public final class SwitchMaps {
    private SwitchMaps() {}

    /** A switch over an enum of this nest, compiled with tape-core. */
    static final class Probe {
        private Probe() {}

        /** An enum of this nest, switched on below. */
        enum Letter { A, B }

        /** The switch whose switch map ({@code SwitchMaps$1}) javac makes or not. */
        static int of(Letter l) {
            return switch (l) {
                case A -> 1;
                case B -> 2;
            };
        }
    }

    /**
     * Whether the javac that compiled this build makes a switch-map class for a switch over an enum
     * of the switch's own nest.
     *
     * @return true with JDK 17's javac, false with JDK 25's
     */
    public static boolean nestSwitchMapsGenerated() {
        return SwitchMaps.class.getResource("SwitchMaps$1.class") != null;
    }

    /**
     * Whether {@code name}, a name with no class file in {@code loader}, is a switch map that this
     * build's javac does not generate: {@code Outer$N} with {@code N} a number, {@code Outer}'s nest
     * has an enum, and {@link #nestSwitchMapsGenerated()} is false. With JDK 17's javac it is false
     * for every name, so every listed name must be a class.
     *
     * @param name a binary class name, for example {@code dev.tape.vm.LinkException$1}
     * @param loader the class loader the name's class would be in
     * @return whether the name's class is missing only because this javac does not generate it
     * @throws ClassNotFoundException when {@code Outer} is not a class either
     */
    public static boolean notGenerated(String name, ClassLoader loader) throws ClassNotFoundException {
        int dollar = name.lastIndexOf('$');
        if (nestSwitchMapsGenerated() || dollar < 0 || dollar == name.length() - 1
                || !name.substring(dollar + 1).chars().allMatch(Character::isDigit)) {
            return false;
        }
        Class<?> outer = Class.forName(name.substring(0, dollar), false, loader);
        return Arrays.stream(outer.getNestHost().getNestMembers()).anyMatch(Class::isEnum);
    }

    /**
     * Whether {@code loader} has a class file for {@code name}.
     *
     * @param name a binary class name
     * @param loader a class loader
     * @return whether the class file is there (without loading the class)
     */
    public static boolean present(String name, ClassLoader loader) {
        return loader.getResource(name.replace('.', '/') + ".class") != null;
    }
}
