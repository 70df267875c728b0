package dev.firmament.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal keeps what it was given, in order, across a restart; a torn or corrupted tail is skipped, not fatal. */
class ActivityJournalTest {

    @TempDir
    Path dir;

    @Test
    void entriesComeBackInOrderAfterARestartAndGoOnceDeleted() throws Exception {
        ActivityJournal journal = new ActivityJournal(dir, 1 << 20);
        assertThat(journal.isEmpty()).isTrue();
        assertThat(journal.append(List.of(bytes("one"), bytes("two")))).isTrue();
        assertThat(journal.append(List.of(bytes("three")))).isTrue();
        journal.close();

        ActivityJournal reopened = new ActivityJournal(dir, 1 << 20);
        assertThat(reopened.size()).isEqualTo(3 * 8 + "onetwothree".length());
        ActivityJournal.Segment segment = reopened.oldest();
        assertThat(segment.entries()).extracting(e -> new String(e.payload(), StandardCharsets.UTF_8))
                .containsExactly("one", "two", "three");
        assertThat(segment.entries()).extracting(ActivityJournal.Entry::id).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).startsWith(segment.name() + "/"));
        reopened.delete(segment);
        assertThat(reopened.isEmpty()).isTrue();
        assertThat(reopened.oldest()).isNull();
    }

    @Test
    void appendingAfterReplayBeganStartsANewSegmentBehindTheOldOne() throws Exception {
        ActivityJournal journal = new ActivityJournal(dir, 1 << 20);
        journal.append(List.of(bytes("first")));
        ActivityJournal.Segment first = journal.oldest(); // closes the segment being appended to
        journal.append(List.of(bytes("second")));
        assertThat(journal.oldest().entries()).hasSize(1).first()
                .satisfies(e -> assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("first"));
        journal.delete(first);
        assertThat(journal.oldest().entries()).first()
                .satisfies(e -> assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("second"));
    }

    @Test
    void aTornOrCorruptedTailIsSkippedAndWhatCameBeforeIsKept() throws Exception {
        ActivityJournal journal = new ActivityJournal(dir, 1 << 20);
        journal.append(List.of(bytes("kept"), bytes("torn away")));
        journal.close();
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.findFirst().orElseThrow();
        }
        byte[] content = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(content, content.length - 3)); // the process died mid-write
        assertThat(new ActivityJournal(dir, 1 << 20).oldest().entries()).hasSize(1);

        content[8] ^= 0x01; // a flipped bit in the first entry's payload
        Files.write(segment, content, StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(new ActivityJournal(dir, 1 << 20).oldest().entries()).isEmpty();
    }

    @Test
    void aFullJournalRefusesAndKeepsWhatItHas() throws Exception {
        ActivityJournal journal = new ActivityJournal(dir, 40);
        assertThat(journal.append(List.of(bytes("0123456789")))).isTrue(); // 18 bytes
        assertThat(journal.append(List.of(bytes("0123456789abcdef")))).as("18 + 24 > 40").isFalse();
        assertThat(journal.oldest().entries()).hasSize(1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
