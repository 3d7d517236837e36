/**
 * CLIP byte-level BPE tokenizer, reproducing the "openai" behaviour of {@code clip/simple_tokenizer.py} (ftfy-style
 * clean-up, double HTML unescape, whitespace collapse, lower-case, split regex, byte-to-unicode BPE with {@code </w>})
 * with Hugging Face style padding to the model's context length. Entry point: {@link
 * dev.sdfleet.pipeline.tokenizer.ClipTokenizer}.
 */
package dev.sdfleet.pipeline.tokenizer;
