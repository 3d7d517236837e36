package dev.sdfleet.pipeline.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * One prompt encoded for the CLIP text encoder.
 *
 * @param inputIds    exactly {@link ClipTokenizer#maxLength()} ids: bos, up to maxLength-2 body ids, eos, then pad.
 *                    The array is not copied; treat it as read-only.
 * @param truncated   whether body tokens had to be dropped to fit
 * @param droppedText the decoded text of the dropped tokens, {@code ""} when nothing was dropped
 */
public record TokenizedPrompt(int[] inputIds, boolean truncated, String droppedText) {

    public TokenizedPrompt {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(droppedText, "droppedText");
    }

    /** Compares the ids by content, unlike a record's default for arrays. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedPrompt that
                && truncated == that.truncated
                && Arrays.equals(inputIds, that.inputIds)
                && droppedText.equals(that.droppedText);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(inputIds) + Boolean.hashCode(truncated)) + droppedText.hashCode();
    }

    @Override
    public String toString() {
        return "TokenizedPrompt[inputIds=" + Arrays.toString(inputIds) + ", truncated=" + truncated + ", droppedText="
                + droppedText + "]";
    }
}
