using System.Text;

namespace Academy.Video.Api.Tests.Captions;

/// <summary>
/// A whisper.cpp model file in its ggml layout with random weights and tiny dimensions (64-wide, one layer each side):
/// the magic, eleven int32 hyper-parameters, the mel filters, the vocabulary, then each tensor as n_dims, name length,
/// type, dims, name and data. Multilingual (51865 tokens), so language detection runs; f16 matrices, because the
/// encoder's convolutions take only f16 kernels. It proves the plumbing — the native runtime loads and runs it — not the words.
/// </summary>
public static class TinyWhisperModel
{
    private const int Vocab = 51865;
    private const int AudioContext = 1500;
    private const int State = 64;
    private const int TextContext = 448;
    private const int Mels = 80;

    public static void Write(string path, int seed = 1)
    {
        var random = new Random(seed);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(0x67676d6c);
        foreach (var value in new[] { Vocab, AudioContext, State, 1, 1, TextContext, State, 1, 1, Mels, 1 })
        {
            writer.Write(value);
        }

        writer.Write(Mels);
        writer.Write(201);
        for (var i = 0; i < Mels * 201; i++)
        {
            writer.Write((float)(random.NextDouble() * 0.01));
        }

        // The text tokens; the loader names the special ones itself. Token 220 must be " ": blank suppression looks it up.
        const int words = 50257;
        writer.Write(words);
        for (var i = 0; i < words; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(i == 220 ? " " : $" w{i}");
            writer.Write((uint)bytes.Length);
            writer.Write(bytes);
        }

        void Tensor(string name, params int[] dims)
        {
            var f16 = name.EndsWith(".weight", StringComparison.Ordinal) && dims.Length >= 2;
            var nameBytes = Encoding.UTF8.GetBytes(name);
            writer.Write(dims.Length);
            writer.Write(nameBytes.Length);
            writer.Write(f16 ? 1 : 0);
            foreach (var d in dims)
            {
                writer.Write(d);
            }

            writer.Write(nameBytes);
            var count = dims.Aggregate(1L, (a, d) => a * d);
            var norm = name.EndsWith("ln.weight", StringComparison.Ordinal) || name.EndsWith("ln_post.weight", StringComparison.Ordinal);
            for (long i = 0; i < count; i++)
            {
                var value = norm ? 1f : (float)((random.NextDouble() - 0.5) * 0.2);
                if (f16)
                {
                    writer.Write((Half)value);
                }
                else
                {
                    writer.Write(value);
                }
            }
        }

        void Block(string prefix, bool cross)
        {
            Tensor(prefix + "mlp_ln.weight", State);
            Tensor(prefix + "mlp_ln.bias", State);
            Tensor(prefix + "mlp.0.weight", State, 4 * State);
            Tensor(prefix + "mlp.0.bias", 4 * State);
            Tensor(prefix + "mlp.2.weight", 4 * State, State);
            Tensor(prefix + "mlp.2.bias", State);
            foreach (var attention in cross ? new[] { "attn", "cross_attn" } : ["attn"])
            {
                Tensor(prefix + attention + "_ln.weight", State);
                Tensor(prefix + attention + "_ln.bias", State);
                Tensor(prefix + attention + ".query.weight", State, State);
                Tensor(prefix + attention + ".query.bias", State);
                Tensor(prefix + attention + ".key.weight", State, State);
                Tensor(prefix + attention + ".value.weight", State, State);
                Tensor(prefix + attention + ".value.bias", State);
                Tensor(prefix + attention + ".out.weight", State, State);
                Tensor(prefix + attention + ".out.bias", State);
            }
        }

        Tensor("encoder.positional_embedding", State, AudioContext);
        Tensor("encoder.conv1.weight", 3, Mels, State);
        Tensor("encoder.conv1.bias", 1, State);
        Tensor("encoder.conv2.weight", 3, State, State);
        Tensor("encoder.conv2.bias", 1, State);
        Tensor("encoder.ln_post.weight", State);
        Tensor("encoder.ln_post.bias", State);
        Block("encoder.blocks.0.", cross: false);
        Tensor("decoder.positional_embedding", State, TextContext);
        Tensor("decoder.token_embedding.weight", State, Vocab);
        Tensor("decoder.ln.weight", State);
        Tensor("decoder.ln.bias", State);
        Block("decoder.blocks.0.", cross: true);
    }
}
