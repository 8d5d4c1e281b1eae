package io.suitesync.common;

/** Redis stream entry ids ({@code milliseconds-sequence}), shared by the hub and the agent. */
public final class StreamIds {

    private StreamIds() {}

    /** Orders two entry ids as Redis does; {@code 5} stands for {@code 5-0}. */
    public static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
    }

    private static long[] parse(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? new long[] {Long.parseLong(id), 0}
                : new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
    }
}
