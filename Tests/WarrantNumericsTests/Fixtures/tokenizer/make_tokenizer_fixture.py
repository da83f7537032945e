#!/usr/bin/env python3
"""Makes the tokenizer fixture: a GPT-2-style byte-level BPE tokenizer trained by Hugging
Face `tokenizers` on a small text, saved as tokenizer.json (the format GPT-2's own ships
in), and what `tokenizers` itself encodes a set of hostile-ish texts to (expected.json).

    pip install tokenizers      # made with tokenizers 0.23.3
    python3 make_tokenizer_fixture.py
"""
import json
import pathlib

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

HERE = pathlib.Path(__file__).resolve().parent

CORPUS = [
    "The model will not cause catastrophic outcomes through scheming.",
    "Safety cases argue over inability, control and alignment; evidence discharges assumptions.",
    "It's the evaluator's job: they'll check what we've done, and I'm sure you'd agree.",
    "Sparse autoencoders read the residual stream at blocks.6.hook_resid_pre, 768 wide.",
    "Numbers like 3.14159, 2026 and 1e-4 appear; so do tabs\tand\nnewlines   and  spaces.",
    "Ünïcödé letters, 日本語のテキスト, emoji 🙂 and symbols ±≤≥ all go through bytes.",
] * 20

TEXTS = [
    "The model will not cause catastrophic outcomes.",
    "It's they're we've I'm you'll he'd 'S 'T",
    "  leading spaces, trailing spaces   ",
    "tabs\t\tand\n\nnewlines\r\n and   runs    of     spaces",
    "digits 1234567890 and 3.14 and -2e10",
    "Ünïcödé, 日本語, emoji 🙂🚀, and ±≤≥",
    "words never seen: qzxv jjjj wwwwwwwwwwwwwwww",
    "<|endoftext|>a special token<|endoftext|><|endoftext|> between texts",
    "",
    " ",
    "\u00a0non-breaking\u2003spaces\u200bzero-width",
    "blocks.6.hook_resid_pre!!!???...",
    "vertical\u000btab, next\u0085line, separators\u001c\u2028\u2029 and ideographic\u3000space",
    "combining e\u0301 and \U0001F468\u200D\U0001F469\u200D\U0001F467 family",
]


def main():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=2, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    tok.save(str(HERE / "tokenizer.json"))
    loaded = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    expected = [{"text": t, "ids": loaded.encode(t).ids} for t in TEXTS]
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    print(loaded.get_vocab_size(), "tokens;", sum(len(e["ids"]) for e in expected), "ids in expected.json")


if __name__ == "__main__":
    main()
