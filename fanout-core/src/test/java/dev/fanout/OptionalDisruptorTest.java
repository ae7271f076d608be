package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.RingBuffer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.SpscArrayQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Disruptor is an optional dependency: a program that uses only {@link Engine#queues()} runs
 * with fanout-core and JCTools alone, on the class path and on the module path, and
 * {@link Engine#ring(int)} without the Disruptor fails at once with a message that says what to
 * add. Each case runs a child JVM whose paths hold exactly the jars named, so a class of the
 * Disruptor reached on the queue engine's path would fail it.
 */
class OptionalDisruptorTest {
    /** Builds a queue hub, moves one message, then asks for a ring engine. */
    private static final String PROGRAM = """
            import dev.fanout.Engine;
            import dev.fanout.Hub;
            import dev.fanout.Overflow;
            import dev.fanout.PullSubscription;

            public class Probe {
                public static void main(String[] args) {
                    Hub<String> hub = Hub.<String>builder().build();
                    PullSubscription<String> s = hub.subscribe(Overflow.dropOldest());
                    hub.publish("m");
                    System.out.println("queues: " + s.poll().map(d -> d.message()).orElse("nothing"));
                    hub.close();
                    try {
                        Hub<String> ring = Hub.<String>builder().engine(Engine.ring(8)).build();
                        PullSubscription<String> r = ring.subscribe(Overflow.dropOldest());
                        ring.publish("r");
                        System.out.println("ring: " + r.poll().map(d -> d.message()).orElse("nothing"));
                    } catch (IllegalStateException e) {
                        System.out.println("ring refused: " + e.getMessage());
                    }
                }
            }
            """;

    private static Path probe;
    private static String core;
    private static String jctools;
    private static String disruptor;

    @BeforeAll
    static void writeProbe(@TempDir Path dir) throws IOException, URISyntaxException {
        probe = Files.writeString(dir.resolve("Probe.java"), PROGRAM, StandardCharsets.UTF_8);
        core = location(Hub.class);
        jctools = location(SpscArrayQueue.class);
        disruptor = location(RingBuffer.class);
        assertTrue(jctools.endsWith(".jar") && disruptor.endsWith(".jar"), jctools + " " + disruptor);
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String paths(String... entries) {
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void classPath_withoutDisruptor_queuesWork_ringRefusedWithAdvice() throws Exception {
        List<String> out = run("--class-path", paths(core, jctools));
        assertEquals("queues: m", out.get(0), out.toString());
        assertTrue(out.get(1).startsWith(
                "ring refused: Engine.ring needs the LMAX Disruptor, which is neither on the class path"), out.toString());
        assertTrue(out.get(1).contains("com.lmax:disruptor") && out.get(1).contains("--add-modules com.lmax.disruptor"),
                out.toString());
    }

    @Test
    void classPath_withDisruptor_ringWorks() throws Exception {
        assertEquals(List.of("queues: m", "ring: r"), run("--class-path", paths(core, jctools, disruptor)));
    }

    @Test
    void modulePath_withoutDisruptor_resolves_queuesWork_ringRefused() throws Exception {
        List<String> out = run("--module-path", paths(core, jctools), "--add-modules", "dev.fanout.core");
        assertEquals("queues: m", out.get(0), out.toString());
        assertTrue(out.get(1).startsWith("ring refused: Engine.ring needs the LMAX Disruptor"), out.toString());
    }

    @Test
    void modulePath_disruptorPresentButNotResolved_ringRefused() throws Exception {
        // on the module path, but nothing requires it: dev.fanout.core does not read it
        List<String> out = run("--module-path", paths(core, jctools, disruptor), "--add-modules", "dev.fanout.core");
        assertEquals("queues: m", out.get(0), out.toString());
        assertTrue(out.get(1).startsWith("ring refused: Engine.ring needs the LMAX Disruptor"), out.toString());
    }

    @Test
    void modulePath_disruptorResolved_ringWorks() throws Exception {
        assertEquals(List.of("queues: m", "ring: r"), run("--module-path", paths(core, jctools, disruptor),
                "--add-modules", "dev.fanout.core,com.lmax.disruptor"));
    }

    /** Runs the probe in a child JVM (the source launcher compiles it) with exactly these paths. */
    private static List<String> run(String... pathOptions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(pathOptions));
        cmd.add(probe.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
        assertEquals(0, p.exitValue(), text);
        return text.lines().toList();
    }
}
