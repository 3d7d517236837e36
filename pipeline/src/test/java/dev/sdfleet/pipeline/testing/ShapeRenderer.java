package dev.sdfleet.pipeline.testing;

import dev.sdfleet.pipeline.image.RgbImage;
import java.util.List;
import java.util.Map;

/**
 * Draws the trainer's synthetic scenes ({@code models/trainer/shapes.py render}): one flat-coloured shape on a
 * plain background, 64x64, no anti-aliasing. Squares and triangles match PIL pixel for pixel; circles use a
 * radius of {@code r + 1/3}, which matches PIL's small circle exactly and differs by 8 edge pixels on the large one.
 * Good enough to exercise {@link ImageJudge}; not a PIL clone.
 */
public final class ShapeRenderer {

    /** Width and height of every scene. */
    public static final int IMAGE_SIZE = 64;
    /** Shape kinds, in shapes.py order. */
    public static final List<String> SHAPES = List.of("circle", "square", "triangle");
    /** Position name -> {x, y} of the shape centre before jitter. */
    public static final Map<String, int[]> POSITIONS = Map.of(
            "center",
            new int[] {32, 32},
            "left",
            new int[] {20, 32},
            "right",
            new int[] {44, 32},
            "top",
            new int[] {32, 20},
            "bottom",
            new int[] {32, 44});
    /** Size name -> half extent in pixels. */
    public static final Map<String, Integer> SIZES = Map.of("small", 9, "large", 17);

    /** One scene, as shapes.py's {@code Scene}. */
    public record Scene(String shape, String colour, String background, String position, String size, int dx, int dy) {}

    private ShapeRenderer() {}

    /** Renders the scene. */
    public static RgbImage render(Scene scene) {
        int[] background = colour(scene.background());
        int[] fill = colour(scene.colour());
        int[] centre = POSITIONS.get(scene.position());
        int cx = centre[0] + scene.dx();
        int cy = centre[1] + scene.dy();
        int r = SIZES.get(scene.size());
        byte[] pixels = new byte[IMAGE_SIZE * IMAGE_SIZE * RgbImage.CHANNELS];
        for (int y = 0; y < IMAGE_SIZE; y++) {
            for (int x = 0; x < IMAGE_SIZE; x++) {
                int[] rgb = inside(scene.shape(), x - cx, y - cy, r) ? fill : background;
                int i = (y * IMAGE_SIZE + x) * RgbImage.CHANNELS;
                pixels[i] = (byte) rgb[0];
                pixels[i + 1] = (byte) rgb[1];
                pixels[i + 2] = (byte) rgb[2];
            }
        }
        return new RgbImage(IMAGE_SIZE, IMAGE_SIZE, pixels);
    }

    /** Whether the pixel at offset (dx, dy) from the centre belongs to a shape of half extent r. */
    private static boolean inside(String shape, int dx, int dy, int r) {
        if (Math.abs(dx) > r || Math.abs(dy) > r) {
            return false;
        }
        return switch (shape) {
            case "square" -> true; // PIL rectangle: both corners inclusive
            case "circle" -> 9 * (dx * dx + dy * dy) <= (3 * r + 1) * (3 * r + 1); // radius r + 1/3, in integers
            // apex (0, -r), base corners (+-r, r): the half width grows by 1/2 pixel per row, as PIL fills it
            case "triangle" -> 2 * Math.abs(dx) <= dy + r;
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    private static int[] colour(String name) {
        int index = ImageJudge.NAMES.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("unknown colour " + name);
        }
        return ImageJudge.COLOURS[index];
    }
}
