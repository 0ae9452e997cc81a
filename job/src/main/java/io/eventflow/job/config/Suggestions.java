package io.eventflow.job.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean ...?" for a misspelt name: the known name closest to it, within a few edits. */
public final class Suggestions {

    private static final int MAX_EDITS = 3;

    private Suggestions() {
    }

    /** The known name nearest to {@code name} by edit distance, if it is at most three edits away. */
    public static Optional<String> closest(String name, Collection<String> known) {
        return known.stream()
            .filter(candidate -> distance(candidate, name) <= MAX_EDITS)
            .min(Comparator.comparingInt(candidate -> distance(candidate, name)));
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] current = new int[b.length() + 1];
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[b.length()];
    }
}
