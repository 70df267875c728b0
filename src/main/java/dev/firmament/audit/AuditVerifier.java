package dev.firmament.audit;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Verifies a chain in two steps. The walk recomputes every event's hash and link, which shows an edited or removed
 * event. The newest checkpoint in the object store then shows what the walk cannot: events cut from the end, and a
 * chain rewritten whole with fresh hashes, because nobody can sign a checkpoint for the new chain.
 */
@ApplicationScoped
public class AuditVerifier {

    /** The checkpoint a verification was anchored to, and how many events came after it. */
    public record Anchor(long seq, Instant at, String keyId, String object, long eventsSince) {
    }

    /**
     * The result: intact, or the first problem found, as a code ({@code content-changed}, {@code event-missing},
     * {@code link-broken}, {@code truncated-after-checkpoint}, {@code rewritten-before-checkpoint},
     * {@code checkpoint-signature-invalid}, {@code checkpoint-key-unknown}, {@code checkpoint-unreadable},
     * {@code checkpoint-missing-from-store}) and in words.
     */
    public record Verification(boolean intact, long events, Long brokenAtSeq, String brokenEventId, String problem,
            String reason, Anchor anchor) {
    }

    private final AuditService audit;
    private final AuditCheckpoints checkpoints;

    AuditVerifier(AuditService audit, AuditCheckpoints checkpoints) {
        this.audit = audit;
        this.checkpoints = checkpoints;
    }

    public Verification verify(UUID chain) {
        AuditService.Walk walk = audit.walk(chain);
        if (!walk.intact()) {
            return broken(walk, walk.brokenAtSeq(), walk.brokenEventId(), walk.problem(), walk.reason(), null);
        }
        Optional<AuditCheckpoints.Stored> stored = checkpoints.newestStored(chain);
        Optional<AuditCheckpoint> listed = checkpoints.newestListed(chain);
        if (stored.isEmpty()) {
            return listed.map(l -> broken(walk, null, null, "checkpoint-missing-from-store",
                    "the database lists a checkpoint of event " + l.seq() + " (" + l.at()
                            + ") that the object store does not have: checkpoints were removed from the store",
                    null)).orElseGet(() -> new Verification(true, walk.events(), null, null, null, null, null));
        }
        AuditCheckpoint checkpoint;
        try {
            checkpoint = AuditCheckpoint.parse(stored.get().text());
        } catch (IllegalArgumentException e) {
            return broken(walk, null, null, "checkpoint-unreadable", "the newest checkpoint in the store, "
                    + stored.get().object() + ", is not a checkpoint: " + e.getMessage(), null);
        }
        Anchor anchor = new Anchor(checkpoint.seq(), checkpoint.at(), checkpoint.keyId(), stored.get().object(),
                walk.headSeq() - checkpoint.seq());
        if (!checkpoint.object().equals(stored.get().object()) || !checkpoint.chain().equals(chain.toString())) {
            return broken(walk, null, null, "checkpoint-unreadable", "the checkpoint stored as " + stored.get().object()
                    + " is for another chain or event (" + checkpoint.object() + ")", anchor);
        }
        Optional<Boolean> signed = checkpoints.signatureValid(checkpoint);
        if (signed.isEmpty()) {
            return broken(walk, null, null, "checkpoint-key-unknown", "the checkpoint of event " + checkpoint.seq()
                    + " is signed with key " + checkpoint.keyId()
                    + ", which this installation does not know (list it in firmament.audit.previous-public-keys)",
                    anchor);
        }
        if (!signed.get()) {
            return broken(walk, null, null, "checkpoint-signature-invalid",
                    "the checkpoint of event " + checkpoint.seq()
                            + " in the store does not verify with the audit key: it was not made by Firmament",
                    anchor);
        }
        if (listed.isPresent() && listed.get().seq() > checkpoint.seq()) {
            return broken(walk, null, null, "checkpoint-missing-from-store",
                    "the database lists a checkpoint of event " + listed.get().seq() + " (" + listed.get().at()
                            + "), newer than the store's newest (event " + checkpoint.seq()
                            + "): checkpoints were removed from the store",
                    anchor);
        }
        if (walk.headSeq() < checkpoint.seq()) {
            return broken(walk, walk.headSeq() + 1, null, "truncated-after-checkpoint",
                    "the chain ends at event " + walk.headSeq() + ", but the checkpoint of " + checkpoint.at()
                            + " signed event " + checkpoint.seq() + ": events " + (walk.headSeq() + 1) + " to "
                            + checkpoint.seq() + " were removed",
                    anchor);
        }
        String hash = audit.hashAt(chain, checkpoint.seq()).orElseThrow();
        if (!hash.equals(checkpoint.hash())) {
            return broken(walk, checkpoint.seq(), null, "rewritten-before-checkpoint",
                    "event " + checkpoint.seq() + " has hash " + hash + ", but the checkpoint of " + checkpoint.at()
                            + " signed " + checkpoint.hash() + ": the chain up to it was rewritten",
                    anchor);
        }
        return new Verification(true, walk.events(), null, null, null, null, anchor);
    }

    private static Verification broken(AuditService.Walk walk, Long seq, String eventId, String problem, String reason,
            Anchor anchor) {
        return new Verification(false, walk.events(), seq, eventId, problem, reason, anchor);
    }
}
