package dev.sdfleet.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The hand-written JSON samples under src/test/resources/samples (see the README there):
 * {@code valid/<schema>/*.json}, {@code invalid/<schema>/<field>[@<schema field>]--<what>.json} and
 * {@code invalid-java-only/<schema>/<field>--<what>.json}, where {@code <schema>} is the schema's name
 * ({@code job-result}) and {@code <field>} the field the Java error names.
 *
 * @param type the message type of the folder
 * @param path the file
 */
record SampleFile(MessageType type, Path path) {

    static List<SampleFile> in(String kind) {
        URL root = SampleFile.class.getClassLoader().getResource("samples/" + kind);
        if (root == null) {
            throw new IllegalStateException("no samples/" + kind + " on the test class path");
        }
        try (Stream<Path> files = Files.walk(Path.of(root.toURI()))) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .sorted()
                    .map(p -> new SampleFile(
                            typeOfFolder(p.getParent().getFileName().toString()), p))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageType typeOfFolder(String folder) {
        return Arrays.stream(MessageType.values())
                .filter(t -> t.schemaFileName().equals(folder + ".schema.json"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no message type for folder " + folder));
    }

    byte[] bytes() {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The field the Java error must name: the file name up to {@code --} (and before any {@code @}). */
    String javaField() {
        String head = path.getFileName().toString().split("--", 2)[0];
        return head.split("@", 2)[0];
    }

    /** Where the schema's error must be: the part after {@code @}, or the Java field. */
    String schemaField() {
        String[] head = path.getFileName().toString().split("--", 2)[0].split("@", 2);
        return head.length == 2 ? head[1] : head[0];
    }

    @Override
    public String toString() {
        return path.getParent().getFileName() + "/" + path.getFileName();
    }
}
