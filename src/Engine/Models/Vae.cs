using TorchSharp;
using ContinualLearning.Engine.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ContinualLearning.Engine.Models;

/// <summary>
/// A small variational autoencoder over flattened images in [0, 1]: one hidden layer in the encoder and the decoder,
/// Gaussian latent code, Bernoulli pixels. The generator of generative replay.
/// </summary>
public sealed class Vae : Module<Tensor, Tensor>
{
    readonly Linear encode, mean, logVariance, expand, decode;

    public Vae(int pixels, int hidden, int latent) : base(nameof(Vae))
    {
        encode = Linear(pixels, hidden); mean = Linear(hidden, latent); logVariance = Linear(hidden, latent);
        expand = Linear(latent, hidden); decode = Linear(hidden, pixels);
        Pixels = pixels; Hidden = hidden; Latent = latent;
        RegisterComponents();
    }

    public int Pixels { get; }
    public int Hidden { get; }
    public int Latent { get; }

    /// <summary>Pixel logits reconstructed from a latent code z [B, latent].</summary>
    public Tensor DecodeLogits(Tensor z) => decode.call(functional.relu(expand.call(z)));

    /// <summary>Reconstruction (pixel logits) of the inputs through a sampled code.</summary>
    public override Tensor forward(Tensor inputs) => Loss(inputs, null).Reconstruction;

    /// <summary>Per-sample negative ELBO (Bernoulli reconstruction summed over pixels + KL to N(0, I)), averaged over the batch.</summary>
    public (Tensor Loss, Tensor Reconstruction) Loss(Tensor inputs, Generator? generator)
    {
        var h = functional.relu(encode.call(inputs));
        var mu = mean.call(h);
        var logVar = logVariance.call(h);
        var noise = generator is null ? randn_like(mu) : randn(mu.shape, generator: generator);
        var z = mu.Plus(logVar.Times(0.5).exp() * noise);
        var logits = DecodeLogits(z);
        // KL(q(z|x) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²)
        var kl = (logVar.Plus(ones_like(logVar)) - StableScalars.Squared(mu) - logVar.exp()).sum().Times(-0.5);
        var reconstruction = functional.binary_cross_entropy_with_logits(logits, inputs, reduction: Reduction.Sum);
        return (reconstruction.Plus(kl).Times(1.0 / inputs.shape[0]), logits);
    }

    /// <summary>A frozen copy (same weights, no gradients, eval mode): the previous generator of generative replay.</summary>
    public Vae FrozenCopy()
    {
        var copy = TorchRandom.Unseeded(() => new Vae(Pixels, Hidden, Latent));
        using (no_grad())
        {
            var weights = state_dict();
            foreach (var (name, t) in copy.state_dict()) t.copy_(weights[name]);
        }
        foreach (var p in copy.parameters()) p.requires_grad = false;
        copy.eval();
        return copy;
    }

    /// <summary>Images in [0, 1] decoded from codes drawn from the prior.</summary>
    public Tensor Sample(int count, Generator generator) => DecodeLogits(randn(count, Latent, generator: generator)).sigmoid();
}
