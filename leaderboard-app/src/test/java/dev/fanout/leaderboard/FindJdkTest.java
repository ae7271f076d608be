package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/find-jdk}, the JDK discovery of the README's two commands ({@code bin/run-leaderboard},
 * {@code bin/run-tests}), run as a fresh shell would: an environment scrubbed to {@code PATH} and
 * {@code HOME}, {@code JAVA_HOME} unset, and a {@code java} 17 first on the {@code PATH}.
 *
 * <p>Most cases run against fake JDKs (a {@code java} script printing the properties a real one
 * prints, and a {@code javac}) in a temporary folder named by {@code FANOUT_JDK_ROOTS}; one runs
 * against this machine's real JDKs.
 */
class FindJdkTest {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("bin").resolve("find-jdk");

    @TempDir
    Path dir;

    @Test
    void javaHomeUnsetAndJava17OnThePath_picksTheNewestJdk21OrLater() throws Exception {
        Path roots = Files.createDirectories(dir.resolve("jvm"));
        Path jdk17 = fakeJdk(roots.resolve("jdk-17"), "17");
        fakeJdk(roots.resolve("jdk-21"), "21");
        Path jdk25 = fakeJdk(roots.resolve("jdk-25"), "25");
        fakeJdk(roots.resolve("jre-26"), "26"); // no javac: not a JDK

        Result r = run(Map.of("PATH", jdk17.resolve("bin") + ":" + tools(), "FANOUT_JDK_ROOTS", roots.toString()));

        assertEquals(0, r.exit, r.toString());
        assertEquals(jdk25.toString(), r.out, r.toString());
    }

    @Test
    void aJavaHomeOf21OrLater_isUsedAsItIs() throws Exception {
        Path roots = Files.createDirectories(dir.resolve("jvm"));
        Path jdk21 = fakeJdk(roots.resolve("jdk-21"), "21");
        fakeJdk(roots.resolve("jdk-25"), "25");

        Result r = run(Map.of("PATH", tools(), "JAVA_HOME", jdk21.toString(), "FANOUT_JDK_ROOTS", roots.toString()));

        assertEquals(0, r.exit, r.toString());
        assertEquals(jdk21.toString(), r.out, r.toString());
    }

    @Test
    void aJavaHomeOf17_isPassedOverWithANote() throws Exception {
        Path roots = Files.createDirectories(dir.resolve("jvm"));
        Path jdk17 = fakeJdk(roots.resolve("jdk-17"), "17");
        Path jdk25 = fakeJdk(roots.resolve("jdk-25"), "25");

        Result r = run(Map.of("PATH", tools(), "JAVA_HOME", jdk17.toString(), "FANOUT_JDK_ROOTS", roots.toString()));

        assertEquals(0, r.exit, r.toString());
        assertEquals(jdk25.toString(), r.out, r.toString());
        assertTrue(r.err.contains("JAVA_HOME=" + jdk17 + " is not a JDK 21+"), r.toString());
    }

    @Test
    void aJava21OnThePath_isUsedWithoutSearching() throws Exception {
        Path jdk21 = fakeJdk(dir.resolve("elsewhere").resolve("jdk-21"), "21");
        Path roots = Files.createDirectories(dir.resolve("jvm"));
        fakeJdk(roots.resolve("jdk-25"), "25");

        Result r = run(Map.of("PATH", jdk21.resolve("bin") + ":" + tools(), "FANOUT_JDK_ROOTS", roots.toString()));

        assertEquals(0, r.exit, r.toString());
        assertEquals(jdk21.toString(), r.out, r.toString());
    }

    @Test
    void noJdk21Anywhere_failsSayingHowToGetOne() throws Exception {
        Path roots = Files.createDirectories(dir.resolve("jvm"));
        Path jdk17 = fakeJdk(roots.resolve("jdk-17"), "17");

        Result r = run(Map.of("PATH", jdk17.resolve("bin") + ":" + tools(), "FANOUT_JDK_ROOTS", roots.toString()));

        assertEquals(1, r.exit, r.toString());
        assertEquals("", r.out, r.toString());
        assertTrue(r.err.contains("no JDK 21 or newer found"), r.toString());
        assertTrue(r.err.contains("java on the PATH is 17 (" + jdk17 + ")"), r.toString());
        assertTrue(r.err.contains("apt-get install openjdk-21-jdk-headless"), r.toString());
        assertTrue(r.err.contains("point JAVA_HOME at a JDK 21+"), r.toString());
    }

    /**
     * This machine's real JDKs, with the environment of a fresh login shell that has no
     * {@code JAVA_HOME}: the JDK found must really be 21 or newer.
     */
    @Test
    void onThisMachine_withAScrubbedEnvironment_findsARealJdk21OrLater() throws Exception {
        Path running = Path.of(System.getProperty("java.home"));
        Assumptions.assumeTrue(running.startsWith("/usr/lib/jvm") || running.startsWith("/usr/java")
                        || running.startsWith("/opt"),
                "the JDK running the tests is not in a folder find-jdk searches: " + running);

        Result r = run(Map.of("PATH", "/usr/bin:/bin"));

        assertEquals(0, r.exit, r.toString());
        Process version = new ProcessBuilder(Path.of(r.out, "bin", "java").toString(), "-XshowSettings:properties", "-version")
                .redirectErrorStream(true).start();
        String props = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(version.waitFor(30, TimeUnit.SECONDS));
        String spec = props.lines().map(String::strip).filter(l -> l.startsWith("java.specification.version = "))
                .findFirst().orElseThrow(() -> new AssertionError(props)).substring("java.specification.version = ".length());
        assertTrue(Integer.parseInt(spec) >= 21, r.out + " is Java " + spec);
        assertTrue(Files.isExecutable(Path.of(r.out, "bin", "javac")), r.out + " has no javac");
    }

    /**
     * A folder with the few commands find-jdk and the fake JDKs use, and no {@code java}, so a
     * real JDK on this machine's PATH cannot answer for a fake one.
     */
    private String tools() throws IOException {
        Path tools = dir.resolve("tools");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            for (String name : List.of("bash", "sh", "awk", "cut", "cat")) {
                Path real = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, name)).filter(Files::isExecutable)
                        .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /usr/bin or /bin"));
                Files.createSymbolicLink(tools.resolve(name), real);
            }
        }
        return tools.toString();
    }

    /** A JDK home whose {@code java} prints what a real one prints for the properties. */
    private static Path fakeJdk(Path home, String version) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        executable(bin.resolve("java"), """
                #!/bin/sh
                cat >&2 <<PROPS
                Property settings:
                    java.home = %s
                    java.specification.version = %s
                    java.vm.specification.version = %s

                openjdk version "%s"
                PROPS
                """.formatted(home, version, version, version));
        if (!home.getFileName().toString().startsWith("jre")) {
            executable(bin.resolve("javac"), "#!/bin/sh\nexit 0\n");
        }
        return home;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result run(Map<String, String> env) throws Exception {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is missing or not executable");
        ProcessBuilder pb = new ProcessBuilder(List.of(SCRIPT.toString()))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().clear();
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("find-jdk did not finish in 60 s");
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")).strip(),
                Files.readString(dir.resolve("err.txt")));
    }

    private record Result(int exit, String out, String err) {
    }
}
