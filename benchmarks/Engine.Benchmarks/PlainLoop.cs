using ContinualLearning.Engine.Config;
using ContinualLearning.Engine.Data;
using ContinualLearning.Engine.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ContinualLearning.Benchmarks;

/// <summary>
/// The seed experiment as a reader would write it by hand in TorchSharp: same data, batches (same shuffles),
/// model, optimizer and evaluation schedule as the engine — and nothing else (no events, no strategy hooks).
/// </summary>
public static class PlainLoop
{
    public static double[][] Run(RunConfig config, DataSet data)
    {
        var tasks = TaskSplit.Parse(config.Tasks);
        var random = new Random(config.Seed);
        var evalRandom = new Random(config.Seed);
        var train = tasks.Select(t => Enumerable.Range(0, data.Train.Count).Where(i => t.Contains(data.Train.Labels[i])).ToArray()).ToArray();
        var test = tasks.Select(t => Enumerable.Range(0, data.Test.Count).Where(i => t.Contains(data.Test.Labels[i])).ToArray()).ToArray();
        var evalSubsets = test.Select(t => { var s = t.ToArray(); evalRandom.Shuffle(s); return s.Take(config.EvalSamplesPerTask).Order().ToArray(); }).ToArray();

        using var scope = NewDisposeScope();
        var trainX = tensor(data.Train.Pixels, [data.Train.Count, 784], ScalarType.Byte).to_type(ScalarType.Float32).div_(255f);
        var trainY = tensor(data.Train.Labels.Select(l => (long)l).ToArray());
        var testX = tensor(data.Test.Pixels, [data.Test.Count, 784], ScalarType.Byte).to_type(ScalarType.Float32).div_(255f);
        var testY = tensor(data.Test.Labels.Select(l => (long)l).ToArray());
        torch.manual_seed(config.Seed);
        var model = nn.Sequential(("fc", nn.Linear(784, 10)));
        var optimizer = optim.SGD(model.parameters(), config.LearningRate);

        double Accuracy(int[] indices)
        {
            using var _ = NewDisposeScope();
            using var __ = no_grad();
            var idx = tensor(indices.Select(i => (long)i).ToArray());
            return 100.0 * model.call(testX.index_select(0, idx)).argmax(1).eq(testY.index_select(0, idx)).sum().item<long>() / indices.Length;
        }
        void Evaluate() { foreach (var subset in evalSubsets) Accuracy(subset); }

        long step = 0;
        var matrix = new List<double[]>();
        Evaluate();
        for (int t = 0; t < tasks.Length; t++)
        {
            var samples = train[t].ToArray();
            long batches = (long)config.Epochs * ((samples.Length + config.BatchSize - 1) / config.BatchSize), done = 0;
            for (int epoch = 0; epoch < config.Epochs; epoch++)
            {
                random.Shuffle(samples);
                for (int start = 0; start < samples.Length; start += config.BatchSize, done++)
                {
                    using (NewDisposeScope())
                    {
                        var idx = tensor(samples.Skip(start).Take(config.BatchSize).Select(i => (long)i).ToArray());
                        optimizer.zero_grad();
                        var loss = nn.functional.cross_entropy(model.call(trainX.index_select(0, idx)), trainY.index_select(0, idx));
                        loss.backward();
                        optimizer.step();
                        loss.item<float>();
                    }
                    step++;
                    if (step % config.EvalEvery == 0 || done + 1 == batches) Evaluate();
                }
            }
            matrix.Add(test.Select(Accuracy).ToArray());
        }
        return matrix.ToArray();
    }
}
