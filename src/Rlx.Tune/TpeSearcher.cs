using System.Globalization;
using Rlx.Random;

namespace Rlx.Tune;

/// <summary>
/// The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio, Kégl 2011), per key (univariate) with Optuna's
/// default constants: the first <see cref="TuneSettings.TpeStartupTrials"/> trials are drawn at random; afterwards the
/// finished trials are split into the best γ(n) = min(⌈n/10⌉, 25) and the rest, a Parzen density is fitted to each
/// (truncated Gaussians at the observations plus a prior one over the whole range, bandwidths from neighbour
/// distances clipped to [range / min(100, 1 + n), range]; categories by smoothed counts), 24 candidates are drawn from
/// the good density and the one maximising l(x)/g(x) is taken. Observations are weighted as Optuna's default_weights:
/// equally below 25, and beyond that the oldest n − 25 on a ramp from 1/n to 1 (the prior weighs 1). Log-uniform keys are
/// modelled in log space; integers on the reals and rounded. Running trials are not counted.
/// </summary>
internal sealed class TpeSearcher(TuneSettings settings) : Searcher(settings)
{
    private const int Candidates = 24;
    private const double PriorWeight = 1.0;

    public override int TotalTrials => Settings.NumSamples;

    public override IReadOnlyDictionary<string, object?> Suggest(int index, IReadOnlyList<Trial> trials)
    {
        Pcg64 random = RandomOf(index);
        Dictionary<string, object?> values = SampleAll(random);
        List<Trial> finished = [.. trials.Where(t => t.Status is TrialStatus.Terminated or TrialStatus.Stopped && double.IsFinite(t.Metric))];
        if (finished.Count < Settings.TpeStartupTrials)
        {
            return values;
        }

        // Best first; ties keep creation order so the split is reproducible.
        List<Trial> ranked = [.. finished.OrderByDescending(t => t.Score(Settings.Maximize)).ThenBy(t => t.Index)];
        int good = Math.Min((int)Math.Ceiling(0.1 * ranked.Count), 25);
        List<Trial> below = ranked[..good];
        List<Trial> above = ranked[good..];
        foreach ((string key, Domain domain) in Settings.Space.Parameters)
        {
            values[key] = domain switch
            {
                Choice choice => SuggestCategory(choice.Values, below, above, key, random),
                _ => SuggestNumber(domain, below, above, key, random),
            };
        }

        return values;
    }

    private static object SuggestNumber(Domain domain, List<Trial> below, List<Trial> above, string key, Pcg64 random)
    {
        (double low, double high, Func<double, double> forward, Func<double, object> back) = domain switch
        {
            Uniform u => (u.Low, u.High, x => x, x => Math.Clamp(x, u.Low, u.High)),
            LogUniform l => (Math.Log(l.Low), Math.Log(l.High), Math.Log, x => Math.Clamp(Math.Exp(x), l.Low, l.High)),
            IntRange i => (i.Low - 0.5, i.High + 0.5, (Func<double, double>)(x => x), (Func<double, object>)(x => Math.Clamp((long)Math.Round(x), i.Low, i.High))),
            _ => throw new InvalidOperationException($"TPE cannot model {domain.GetType().Name}."),
        };
        double[] goodValues = Observations(below, key, forward), badValues = Observations(above, key, forward);
        var good = new Parzen(goodValues, low, high, RecencyWeights(goodValues.Length));
        var bad = new Parzen(badValues, low, high, RecencyWeights(badValues.Length));
        double best = double.NaN, bestScore = double.NegativeInfinity;
        for (int c = 0; c < Candidates; c++)
        {
            double x = good.Sample(random);
            double score = good.LogDensity(x) - bad.LogDensity(x);
            if (score > bestScore)
            {
                (best, bestScore) = (x, score);
            }
        }

        return back(best);
    }

    // Oldest trial first, the order the recency weights assume.
    private static double[] Observations(List<Trial> trials, string key, Func<double, double> forward) =>
        [.. trials.Where(t => t.Params.ContainsKey(key)).OrderBy(t => t.Index).Select(t => forward(Convert.ToDouble(t.Params[key], CultureInfo.InvariantCulture)))];

    /// <summary>Optuna's default_weights for <paramref name="n"/> observations, oldest first: ones below 25; else a ramp from 1/n to 1 over the oldest n − 25, then ones.</summary>
    internal static double[] RecencyWeights(int n)
    {
        var weights = new double[n];
        int ramp = Math.Max(0, n - 25);
        for (int i = 0; i < n; i++)
        {
            weights[i] = i >= ramp ? 1.0 : ramp == 1 ? 1.0 / n : (1.0 / n) + ((1.0 - (1.0 / n)) * i / (ramp - 1));
        }

        return weights;
    }

    private static object SuggestCategory(IReadOnlyList<object?> values, List<Trial> below, List<Trial> above, string key, Pcg64 random)
    {
        double[] good = CategoryWeights(values, below, key);
        double[] bad = CategoryWeights(values, above, key);
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < Candidates; c++)
        {
            int candidate = Draw(good, random);
            double score = Math.Log(good[candidate]) - Math.Log(bad[candidate]);
            if (score > bestScore)
            {
                (best, bestScore) = (candidate, score);
            }
        }

        return values[best]!;
    }

    /// <summary>
    /// Category probabilities: a mixture of one kernel per observation — its category weighted 1 on top of a smoothing
    /// of (prior weight / kernels) on every category, normalised — and a uniform prior kernel, mixed by the recency weights.
    /// </summary>
    private static double[] CategoryWeights(IReadOnlyList<object?> values, List<Trial> trials, string key)
    {
        int[] observed = [.. trials.OrderBy(t => t.Index).Select(t => t.Params.TryGetValue(key, out object? value) ? Choice.IndexOf(values, value) : -1).Where(i => i >= 0)];
        double[] mix = RecencyWeights(observed.Length);
        double total = mix.Sum() + PriorWeight;
        double smoothing = PriorWeight / (observed.Length + 1);
        double kernelTotal = 1 + (smoothing * values.Count);
        var weights = new double[values.Count];
        for (int c = 0; c < values.Count; c++)
        {
            weights[c] = (PriorWeight / values.Count) + (mix.Sum() * smoothing / kernelTotal);
        }

        for (int i = 0; i < observed.Length; i++)
        {
            weights[observed[i]] += mix[i] / kernelTotal;
        }

        return [.. weights.Select(w => w / total)];
    }

    private static int Draw(double[] probabilities, Pcg64 random)
    {
        double u = random.NextDouble();
        for (int i = 0; i < probabilities.Length - 1; i++)
        {
            u -= probabilities[i];
            if (u < 0)
            {
                return i;
            }
        }

        return probabilities.Length - 1;
    }

    /// <summary>A mixture of Gaussians truncated to [low, high]: one at each observation (with its weight; 1 by default) and a wide prior of weight 1 at the centre.</summary>
    internal sealed class Parzen
    {
        private readonly double[] _mu;
        private readonly double[] _sigma;
        private readonly double[] _logNormalizer;
        private readonly double[] _weight;
        private readonly double _low;
        private readonly double _high;

        public Parzen(double[] observations, double low, double high, double[]? weights = null)
        {
            _low = low;
            _high = high;
            double[] w = [.. weights ?? [.. observations.Select(_ => 1.0)], PriorWeight];
            _weight = [.. w.Select(x => x / w.Sum())];
            double range = high - low;
            double prior = 0.5 * (low + high);
            _mu = [.. observations, prior];
            int n = _mu.Length;
            _sigma = new double[n];
            int[] order = [.. Enumerable.Range(0, n).OrderBy(i => _mu[i]).ThenBy(i => i)];
            for (int j = 0; j < n; j++)
            {
                int i = order[j];
                double left = j == 0 ? _mu[i] - low : _mu[i] - _mu[order[j - 1]];
                double right = j == n - 1 ? high - _mu[i] : _mu[order[j + 1]] - _mu[i];
                // The outermost points take their inner gap only (Optuna's consider_endpoints = false).
                _sigma[i] = n > 2 && j == 0 ? right : n > 2 && j == n - 1 ? left : Math.Max(left, right);
            }

            double minimum = range / Math.Min(100.0, 1.0 + n);
            for (int i = 0; i < n; i++)
            {
                _sigma[i] = Math.Clamp(_sigma[i], minimum, range);
            }

            _sigma[n - 1] = range;
            _logNormalizer = new double[n];
            for (int i = 0; i < n; i++)
            {
                double mass = NormalCdf((high - _mu[i]) / _sigma[i]) - NormalCdf((low - _mu[i]) / _sigma[i]);
                _logNormalizer[i] = Math.Log(Math.Max(mass, 1e-300)) + Math.Log(_sigma[i]) + (0.5 * Math.Log(2 * Math.PI));
            }
        }

        public double Sample(Pcg64 random)
        {
            int i = Draw(_weight, random);
            for (int attempt = 0; attempt < 100; attempt++)
            {
                double x = _mu[i] + (_sigma[i] * StandardNormal(random));
                if (x >= _low && x <= _high)
                {
                    return x;
                }
            }

            return Math.Clamp(_mu[i], _low, _high);
        }

        public double LogDensity(double x)
        {
            // log of the mean of the components' densities, computed stably.
            double max = double.NegativeInfinity;
            Span<double> terms = _mu.Length <= 256 ? stackalloc double[_mu.Length] : new double[_mu.Length];
            for (int i = 0; i < _mu.Length; i++)
            {
                double z = (x - _mu[i]) / _sigma[i];
                terms[i] = (-0.5 * z * z) - _logNormalizer[i];
                max = Math.Max(max, terms[i]);
            }

            double sum = 0;
            for (int i = 0; i < _mu.Length; i++)
            {
                sum += _weight[i] * Math.Exp(terms[i] - max);
            }

            return max + Math.Log(sum);
        }

        private static double StandardNormal(Pcg64 random)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        /// <summary>Φ(z), through erfc as Abramowitz and Stegun 7.1.26 approximate it (absolute error below 1.5e-7).</summary>
        internal static double NormalCdf(double z)
        {
            double x = Math.Abs(z) / Math.Sqrt(2.0);
            double t = 1.0 / (1.0 + (0.3275911 * x));
            double polynomial = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
            double erfc = polynomial * Math.Exp(-x * x);
            return z >= 0 ? 1.0 - (0.5 * erfc) : 0.5 * erfc;
        }
    }
}
