package dev.fanout.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The code in {@code docs/} and the root README is copied from compiled sources, so it cannot rot: every code block
 * preceded by {@code <!-- snippet: path#region -->} must equal that region of that file (the
 * lines between {@code // @start region="region"} and {@code // @end}, dedented).
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern MARKER = Pattern.compile(
            "<!-- snippet: (?<path>[^#\\s]+)#(?<region>[\\w-]+) -->\\n```java\\n(?<code>.*?)```", Pattern.DOTALL);

    @Test
    void everyDocsSnippet_isTheRegionOfTheSourceItNames() throws IOException {
        List<Path> docs;
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            docs = Stream.concat(s.filter(p -> p.toString().endsWith(".md")).sorted(), Stream.of(ROOT.resolve("README.md")))
                    .toList();
        }
        int checked = 0;
        for (Path doc : docs) {
            Matcher m = MARKER.matcher(Files.readString(doc));
            while (m.find()) {
                String expected = region(ROOT.resolve(m.group("path")), m.group("region"));
                assertEquals(expected, m.group("code"), doc.getFileName() + ": snippet " + m.group("path") + "#" + m.group("region"));
                checked++;
            }
        }
        assertTrue(checked >= 5, "snippets checked: " + checked);
    }

    private static String region(Path source, String name) throws IOException {
        assertTrue(Files.exists(source), "no such file: " + source);
        List<String> lines = Files.readAllLines(source);
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.strip().equals("// @start region=\"" + name + "\"")) {
                in = true;
            } else if (in && line.strip().equals("// @end")) {
                int indent = out.stream().filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
                StringBuilder b = new StringBuilder();
                out.forEach(l -> b.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
                return b.toString();
            } else if (in) {
                out.add(line);
            }
        }
        return fail("no region \"" + name + "\" in " + source);
    }
}
