package dev.firmament.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;

/** One tenant's device activity as a journal entry: JSON of the records, in the order they were recorded. */
final class JournalEntries {

    private JournalEntries() {
    }

    /** A check-in or a download (exactly one is set). */
    record Item(CheckIn checkIn, Download download) {
    }

    record Entry(String tenantId, List<Item> items) {
    }

    record Decoded(String tenantId, List<Object> records) {
    }

    static byte[] encode(ObjectMapper json, String tenantId, List<Object> records) {
        List<Item> items = new ArrayList<>(records.size());
        for (Object record : records) {
            items.add(record instanceof CheckIn c ? new Item(c, null) : new Item(null, (Download) record));
        }
        try {
            return json.writeValueAsBytes(new Entry(tenantId, items));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Decoded decode(ObjectMapper json, byte[] payload) {
        try {
            Entry entry = json.readValue(payload, Entry.class);
            List<Object> records = new ArrayList<>(entry.items().size());
            for (Item item : entry.items()) {
                records.add(item.checkIn() != null ? item.checkIn() : item.download());
            }
            return new Decoded(entry.tenantId(), records);
        } catch (IOException e) {
            throw new UncheckedIOException("A device activity journal entry cannot be read", e);
        }
    }
}
