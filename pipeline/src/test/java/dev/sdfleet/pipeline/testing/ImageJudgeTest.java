package dev.sdfleet.pipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.testing.ImageJudge.Verdict;
import dev.sdfleet.pipeline.testing.ShapeRenderer.Scene;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageJudgeTest {

    private static RgbImage flat(int width, int height, int[] rgb) {
        byte[] pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) rgb[0];
            pixels[i + 1] = (byte) rgb[1];
            pixels[i + 2] = (byte) rgb[2];
        }
        return new RgbImage(width, height, pixels);
    }

    /** Every shape, both sizes, every ordered (shape colour, background) pair; positions and jitter cycle. */
    @Test
    void classifiesEveryRenderedSceneOfTheTrainingDistribution() {
        List<String> positions = List.of("center", "left", "right", "top", "bottom");
        List<String> failures = new ArrayList<>();
        int scenes = 0;
        for (String shape : ShapeRenderer.SHAPES) {
            for (String size : List.of("small", "large")) {
                for (String colour : ImageJudge.NAMES) {
                    for (String background : ImageJudge.NAMES) {
                        if (colour.equals(background)) {
                            continue;
                        }
                        String position = positions.get(scenes % positions.size());
                        int dx = scenes % 5 - 2; // the dataset's jitter range, -2..2
                        int dy = (scenes / 5) % 5 - 2;
                        Scene scene = new Scene(shape, colour, background, position, size, dx, dy);
                        Verdict verdict = ImageJudge.judge(ShapeRenderer.render(scene));
                        int[] centre = ShapeRenderer.POSITIONS.get(position);
                        // the triangle's centroid sits below its box centre; the others are symmetric
                        double expectedCy =
                                centre[1] + dy + (shape.equals("triangle") ? ShapeRenderer.SIZES.get(size) / 3.0 : 0);
                        boolean ok = verdict.background().equals(background)
                                && verdict.colour().equals(colour)
                                && verdict.shape().equals(shape)
                                && Math.abs(verdict.cx() - (centre[0] + dx)) < 1e-9
                                && Math.abs(verdict.cy() - expectedCy) < 1.0;
                        if (!ok) {
                            failures.add(scene + " -> " + verdict);
                        }
                        scenes++;
                    }
                }
            }
        }
        assertEquals(3 * 2 * 8 * 7, scenes);
        assertEquals(List.of(), failures);
    }

    /** Pixel counts of the renderer against PIL's (measured with Pillow 9.4 for shapes.py's render). */
    @Test
    void rendererIsCloseToPil() {
        int[][] expected = {{277, 957}, {361, 1225}, {181, 613}}; // circle, square, triangle x small, large
        for (int s = 0; s < 3; s++) {
            String shape = ShapeRenderer.SHAPES.get(s);
            for (int z = 0; z < 2; z++) {
                String size = z == 0 ? "small" : "large";
                Verdict verdict =
                        ImageJudge.judge(ShapeRenderer.render(new Scene(shape, "red", "white", "center", size, 0, 0)));
                int pil = expected[s][z];
                // circles: PIL's large one differs by a few edge pixels; everything else is exact
                int tolerance = shape.equals("circle") && size.equals("large") ? 16 : 0;
                assertTrue(Math.abs(verdict.pixels() - pil) <= tolerance, shape + " " + size + ": " + verdict);
            }
        }
    }

    @Test
    void aPlainImageHasNoShape() {
        Verdict verdict = ImageJudge.judge(flat(64, 64, ImageJudge.COLOURS[5]));
        assertEquals(new Verdict("orange", "none", "none", 0.0, 0.0, 0.0, 0), verdict);
    }

    @Test
    void equidistantColoursGoToTheFirstPaletteEntry() {
        // (130, 105, 50) is 12425 away from both red and green, and farther from the rest
        int[] classes = ImageJudge.classifyPixels(flat(1, 1, new int[] {130, 105, 50}));
        assertEquals(0, classes[0]);
        assertEquals(
                "red", ImageJudge.judge(flat(5, 5, new int[] {130, 105, 50})).background());
    }

    @Test
    void borderCountsCornersTwiceAndClipsSmallImages() {
        int[] classes = new int[4 * 4]; // all red: the four border slices of a 4x4 image cover 8+8+8+8 entries
        assertEquals(32, ImageJudge.borderCounts(classes, 4, 4)[0]);
        // 1x1: each of the four slices is the one pixel
        assertEquals(4, ImageJudge.borderCounts(new int[1], 1, 1)[0]);
        // 5 wide, 3 high: classes[:2] and classes[-2:] share row 1 (2*5 + 2*5), columns 2*3 + 2*3
        assertEquals(32, ImageJudge.borderCounts(new int[15], 5, 3)[0]);
        assertEquals(
                Arrays.asList(0, 0, 2),
                Arrays.asList(
                        ImageJudge.argmax(new int[] {3, 3, 1}),
                        ImageJudge.argmax(new int[] {0, 0}),
                        ImageJudge.argmax(new int[] {1, 2, 5, 5})));
    }
}
