package io.suitesync.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.testsupport.DemoProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * README's shell lines, pasted as written into bash against the one-command demo: every {@code ```bash}
 * block of README.md, then of each docs/*.md, in order, with {@code \} continuations joined; the shell
 * variables a line sets ({@code KEY=…}, {@code export AUTH=…}) hold for the lines below it in the same file. The documented ports (8080, 8091,
 * 8092, 55432, 56379) are replaced by the ports of the demo this test started, which a developer's own
 * demo may otherwise hold; nothing else is changed. Each line must exit 0 and every curl in it answer
 * 2xx, or the status README states next to it ({@code # 404 {…}}); where README shows the answer (a
 * comment after the command or on the lines below it), its string, boolean and null fields must be in
 * the answer (numbers depend on what ran before; values with {@code …} are placeholders). Lines that
 * cannot run here are listed in {@link #SKIPPED} with the reason, and logged.
 */
class ReadmeCheckIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** README, then the docs, each read from its start by a reader with a fresh shell. */
    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
        try (var docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    /** What is not run, and why: a pattern of the (joined) command line and the reason. */
    private static final Map<Pattern, String> SKIPPED = new LinkedHashMap<>();

    static {
        skip("(^|\\s)\\./mvnw ", "a Maven build: builds or starts the demo (this test runs the demo itself), or runs tests or a benchmark");
        skip("docker compose", "needs a Docker engine; the compose stack is not the demo");
        skip("^cp \\.env\\.example ", "prepares the docker compose stack");
        skip("^export SUITESYNC_ADMIN_API_KEY=", "a production secret: the demo has dev-admin-key, which AUTH falls back to");
        skip("SUITESYNC_ROUTES_DIR", "configures a hub before it starts (ExternalRoutesReloadIT covers route files)");
        skip("java -jar ", "starts another role in a process of its own (ProductionStartIT runs the packaged jar)");
        skip("node consumer\\.js", "a consumer that runs until stopped (SeedFormatIT runs the consumers)");
        skip("dead-letters/4711/replay", "4711 stands for a parked change; the demo has none (answers 404)");
        skip("bridge/failed/42/retry", "42 stands for a failed sync; the demo has none (answers 404)");
        skip("^flock ", "a benchmark run: benchmarks are programs, not tests");
        skip("^([A-Z_]+=(\"[^\"]*\"|\\S+) )*scripts/bench-", "a benchmark run (with its settings): benchmarks are programs, not tests");
        skip("npm ci|^cd examples/|jbang ", "builds and runs an example consumer that runs until stopped (SeedFormatIT runs the seeds' consumers)");
        skip("redis\\.internal", "a production Redis with an admin user");
        skip("uuidgen|openssl dgst|/webhook/crm", "webhooks are off in the demo (it polls); BridgeWebhookIT signs and sends them");
    }

    private static void skip(String regex, String reason) {
        SKIPPED.put(Pattern.compile(regex), reason);
    }

    /** Placeholders README uses for values an earlier answer gives: placeholder → field of that answer. */
    private static final Map<String, String> FROM_ANSWERS = Map.of("6c1e0d1a-4a53-4c36-a1a4-2bb8d3f7f0a2", "jobId");

    private static DemoProcess demo;
    private static Path work;

    @BeforeAll
    static void startDemo() throws IOException {
        demo = DemoProcess.start();
        work = Files.createTempDirectory("readme-check");
    }

    @AfterAll
    static void stopDemo() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void everyShellLineOfTheReadmeRunsAgainstTheDemo() throws IOException {
        // the agent discovers tenant acme a few seconds after the banner; a reader starts after it
        await().atMost(Duration.ofSeconds(90)).until(() -> run("curl -s localhost:8080/api/credits/check/crm.leads.create").passes(null));

        int checked = 0;
        List<String> skipped = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (Path document : documents()) {
            List<Command> commands = commands(document.toString(), Files.readString(document, StandardCharsets.UTF_8));
            StringBuilder variables = new StringBuilder();
            for (Command command : commands) {
                String reason = skipReason(command.line);
                if (reason != null) {
                    skipped.add(command.where() + " " + command.line + "\n    skipped: " + reason);
                    continue;
                }
                String line = command.line;
                for (Map.Entry<String, String> placeholder : FROM_ANSWERS.entrySet()) {
                    if (line.contains(placeholder.getKey())) {
                        assertThat(values).as("an earlier answer with " + placeholder.getValue() + " for " + command.where())
                                .containsKey(placeholder.getValue());
                        line = line.replace(placeholder.getKey(), values.get(placeholder.getValue()));
                    }
                }
                List<String> assigned = assigned(line);
                String script = variables + line + (assigned.isEmpty() ? "" : "\ndeclare -p " + String.join(" ", assigned));
                Result result = command.retryable() ? retried(script, command) : run(script);
                String problem = result.problem(command);
                if (problem != null) {
                    fail(command.where() + " does not work as pasted:\n  " + command.line + "\n" + problem
                            + "\nexit " + result.exit + ", HTTP " + result.statuses + "\nanswer:\n" + result.output);
                }
                System.out.println("[readme] ok " + command.where() + " " + command.line + " → HTTP " + result.statuses
                        + " " + abbreviate(result.output));
                checked++;
                // the shell variables the line set, for the lines below it
                result.output.lines().filter(l -> l.startsWith("declare ")).forEach(l -> variables.append(l).append('\n'));
                remember(result.output, values);
            }
        }
        skipped.forEach(s -> System.out.println("[readme] " + s));
        System.out.println("[readme] " + checked + " lines checked, " + skipped.size() + " skipped");
        assertThat(checked).as("lines checked").isGreaterThan(40);
    }

    /** A GET or a read is repeated while it fails (for up to 30 s): a reader pastes lines seconds apart. */
    private static Result retried(String script, Command command) {
        Result[] last = new Result[1];
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                last[0] = run(script);
                return last[0].problem(command) == null;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported with the last answer
        }
        return last[0];
    }

    private static String abbreviate(String output) {
        String oneLine = output.strip().replace('\n', ' ');
        return oneLine.length() > 400 ? oneLine.substring(0, 400) + "…" : oneLine;
    }

    private static void remember(String output, Map<String, String> values) {
        try {
            JsonNode answer = JSON.readTree(output);
            if (answer != null && answer.isObject()) {
                answer.fields().forEachRemaining(f -> {
                    if (f.getValue().isTextual() && FROM_ANSWERS.containsValue(f.getKey())) {
                        values.put(f.getKey(), f.getValue().asText());
                    }
                });
            }
        } catch (IOException notJson) {
            // nothing to remember
        }
    }

    private static final Pattern ASSIGNMENT = Pattern.compile("(?:^|;\\s*)(?:export\\s+)?([A-Za-z_]\\w*)=");

    /** The shell variables a line sets: {@code X=…}, {@code export X=…}, {@code A=…; B=…} (not a command's environment). */
    static List<String> assigned(String line) {
        if (!line.matches("(export\\s+)?[A-Za-z_]\\w*=.*") || line.matches("(\\w+=\\S+\\s+)+[a-z./].*")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        Matcher m = ASSIGNMENT.matcher(line);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String skipReason(String line) {
        for (Map.Entry<Pattern, String> skip : SKIPPED.entrySet()) {
            if (skip.getKey().matcher(line).find()) {
                return skip.getValue();
            }
        }
        for (String tool : List.of("curl", "psql", "redis-cli", "jq")) {
            if (Pattern.compile("(^|[|;&] *)" + tool + " ").matcher(line).find() && !onPath(tool)) {
                return tool + " is not on this machine's PATH";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        return run("command -v " + tool).exit == 0;
    }

    /** Runs one line with bash in a work folder; every curl reports its HTTP status to a file. */
    private static Result run(String script) {
        try {
            Path statuses = Files.createTempFile(work, "status", ".txt");
            String wrapped = "set -o pipefail\n"
                    + "curl() { local out code rc; out=$(mktemp); code=$(command curl --max-time 30 -o \"$out\" -w '%{http_code}' \"$@\"); rc=$?; "
                    + "cat \"$out\"; rm -f \"$out\"; echo \"$code\" >> '" + statuses + "'; return $rc; }\n"
                    + ports(script) + "\n";
            Process process = new ProcessBuilder("bash", "-c", wrapped).directory(work.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            List<Integer> codes = Files.readAllLines(statuses).stream().filter(s -> !s.isBlank()).map(Integer::valueOf).toList();
            Files.delete(statuses);
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), codes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The documented default ports → this demo's ports. */
    private static String ports(String script) {
        return script.replaceAll("\\b8080\\b", String.valueOf(demo.port))
                .replaceAll("\\b8091\\b", String.valueOf(demo.crmPort))
                .replaceAll("\\b8092\\b", String.valueOf(demo.financePort))
                .replaceAll("\\b55432\\b", String.valueOf(demo.postgresPort))
                .replaceAll("\\b56379\\b", String.valueOf(demo.redisPort));
    }

    // ---- README parsing

    /** One shell command of a block (continuations joined) and what README says it answers. */
    record Command(String source, int number, String line, String expected) {

        String where() {
            return source + ":" + number;
        }

        /** Reads only: no POST, no body, no SQL that writes. */
        boolean retryable() {
            return !line.matches("(?s).*(-X *POST|-d |UPDATE |INSERT |DELETE |export ).*");
        }
    }

    record Result(int exit, String output, List<Integer> statuses) {

        /** Why the answer is not what README says, or null. */
        String problem(Command command) {
            if (exit != 0) {
                return "exit code " + exit;
            }
            Integer status = expectedStatus(command.expected);
            for (int code : statuses) {
                if (status == null ? code < 200 || code > 299 : code != status) {
                    return "HTTP " + code + ", expected " + (status == null ? "2xx" : status);
                }
            }
            return missingFields(command.expected, output);
        }

        boolean passes(Command command) {
            return problem(command == null ? new Command("", 0, "", null) : command) == null;
        }
    }

    private static final Pattern STATUS = Pattern.compile("^(\\d{3})\\b");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\"[^\"]*\"|true|false|null)");

    static Integer expectedStatus(String expected) {
        if (expected == null) {
            return null;
        }
        Matcher m = STATUS.matcher(expected.strip());
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** README's answer's string, boolean and null fields that the real answer lacks, or null. */
    static String missingFields(String expected, String answer) {
        if (expected == null) {
            return null;
        }
        String json = expected.strip().replaceFirst("^\\d{3}:?\\s*", "");
        if (json.startsWith("[") && !json.contains("…")) {
            try {
                JsonNode want = JSON.readTree(json);
                JsonNode got = JSON.readTree(answer);
                return want.equals(got) ? null : "expected " + want;
            } catch (IOException e) {
                return "expected JSON " + json;
            }
        }
        List<String> missing = new ArrayList<>();
        Matcher field = FIELD.matcher(json);
        while (field.find()) {
            String value = field.group(2);
            if (value.contains("…") || value.matches("\"\\d{4}-\\d\\d-\\d\\dT.*")) {
                continue; // a placeholder or a moment
            }
            Pattern inAnswer = Pattern.compile("\"" + field.group(1) + "\"\\s*:\\s*" + Pattern.quote(value));
            if (!inAnswer.matcher(answer).find()) {
                missing.add("\"" + field.group(1) + "\":" + value);
            }
        }
        return missing.isEmpty() ? null : "README shows " + missing + " in the answer";
    }

    /**
     * The commands of every {@code ```bash} block: a line ending in {@code \} continues on the next; the
     * comment lines right below a command (up to a blank line or the next command) and a comment after
     * it are what README says it answers.
     */
    static List<Command> commands(String source, String markdown) {
        List<Command> commands = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        boolean inBlock = false;
        for (int i = 0; i < lines.length; i++) {
            String text = lines[i];
            if (!inBlock) {
                inBlock = text.strip().equals("```bash");
                continue;
            }
            if (text.strip().startsWith("```")) {
                inBlock = false;
                continue;
            }
            if (text.isBlank() || text.strip().startsWith("#")) {
                continue;
            }
            int number = i + 1;
            StringBuilder line = new StringBuilder();
            while (text.endsWith("\\") && i + 1 < lines.length) {
                line.append(text, 0, text.length() - 1).append(' ');
                text = lines[++i].strip();
            }
            line.append(text);
            String joined = line.toString().strip();
            int comment = commentStart(joined);
            StringBuilder expected = new StringBuilder(comment < 0 ? "" : joined.substring(comment + 1).strip());
            while (i + 1 < lines.length && lines[i + 1].strip().startsWith("#")) {
                expected.append(' ').append(lines[++i].strip().substring(1).strip());
            }
            String said = expected.toString().strip();
            commands.add(new Command(source, number, joined, said.isEmpty() ? null : said));
        }
        return commands;
    }

    /** Where a shell comment starts ({@code #} after a blank, outside quotes), or -1. */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && i > 0 && Character.isWhitespace(line.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }
}
