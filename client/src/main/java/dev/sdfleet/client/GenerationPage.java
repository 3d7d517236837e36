package dev.sdfleet.client;

import dev.sdfleet.protocol.Generation;
import java.util.List;
import java.util.Optional;

/**
 * One page of {@link SdfleetClient#list}: requests newest first, and the cursor of the next page.
 *
 * @param data the requests on this page
 * @param nextCursor pass to the next {@code list} call; empty on the last page
 */
public record GenerationPage(List<Generation> data, Optional<String> nextCursor) {
    public GenerationPage {
        data = List.copyOf(data);
    }
}
