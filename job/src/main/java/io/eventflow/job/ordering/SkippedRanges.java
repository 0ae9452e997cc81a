package io.eventflow.job.ordering;

import java.util.Arrays;

/**
 * The ranges of positions an aggregate skipped under {@link GapPolicy#SKIP}, as pairs {@code [from, to]} in a long
 * array kept in its ordering state, so that an event that turns up after its position was skipped is told apart from
 * a duplicate. At most {@link #MAX_RANGES} ranges are kept, the most recent ones.
 */
final class SkippedRanges {

    static final int MAX_RANGES = 32;

    private SkippedRanges() {
    }

    /** The ranges with {@code [from, to]} added, the oldest range dropped if there are too many. */
    static long[] add(long[] ranges, long from, long to) {
        long[] current = ranges == null ? new long[0] : ranges;
        long[] added = Arrays.copyOf(current, current.length + 2);
        added[current.length] = from;
        added[current.length + 1] = to;
        return added.length > 2 * MAX_RANGES ? Arrays.copyOfRange(added, 2, added.length) : added;
    }

    static boolean contains(long[] ranges, long position) {
        if (ranges == null) {
            return false;
        }
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            if (ranges[i] <= position && position <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The ranges without {@code position} (a range that held it is split); null if none is left. */
    static long[] remove(long[] ranges, long position) {
        if (ranges == null) {
            return null;
        }
        long[] result = new long[0];
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            long from = ranges[i];
            long to = ranges[i + 1];
            if (position < from || position > to) {
                result = append(result, from, to);
                continue;
            }
            if (from < position) {
                result = append(result, from, position - 1);
            }
            if (position < to) {
                result = append(result, position + 1, to);
            }
        }
        if (result.length > 2 * MAX_RANGES) {
            result = Arrays.copyOfRange(result, result.length - 2 * MAX_RANGES, result.length);
        }
        return result.length == 0 ? null : result;
    }

    private static long[] append(long[] ranges, long from, long to) {
        long[] appended = Arrays.copyOf(ranges, ranges.length + 2);
        appended[ranges.length] = from;
        appended[ranges.length + 1] = to;
        return appended;
    }
}
