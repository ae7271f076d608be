package dev.fanout.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an example's main printed, captured by running it in this JVM. */
final class Output {
    /** A main method. */
    interface Main {
        void run(String[] args) throws Exception;
    }

    final List<String> lines;

    private Output(List<String> lines) {
        this.lines = lines;
    }

    /** Runs {@code main} with {@code args}, capturing what it prints to {@code System.out}. */
    static synchronized Output of(Main main, String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            main.run(args);
        } finally {
            System.setOut(original);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text); // kept in the surefire report for whoever reads a failure
        return new Output(text.lines().toList());
    }

    /** @return the lines that start with {@code prefix} */
    List<String> starting(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /** @return the one line that matches {@code regex} entirely, as a matcher for its groups */
    Matcher single(String regex) {
        Pattern p = Pattern.compile(regex);
        List<Matcher> found = lines.stream().map(p::matcher).filter(Matcher::matches).toList();
        if (found.size() != 1) {
            fail("expected one line matching " + regex + ", found " + found.size() + " in:\n" + String.join("\n", lines));
        }
        return found.get(0);
    }

    /** @return every line that matches {@code regex} entirely */
    List<Matcher> all(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().map(p::matcher).filter(Matcher::matches).toList();
    }

    /** Fails unless some line equals {@code line}. */
    void hasLine(String line) {
        assertTrue(lines.contains(line), () -> "no line \"" + line + "\" in:\n" + String.join("\n", lines));
    }

    static long num(Matcher m, String group) {
        return Long.parseLong(m.group(group));
    }

    static void assertFlag(Matcher m, String group) {
        assertEquals("true", m.group(group), m.group());
    }
}
