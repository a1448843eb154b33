namespace Xai4Mri.ML.Analysis;

/// <summary>One way to freeze a network for training: how many parameters then train, and how many samples each gets.</summary>
/// <param name="Name">"all layers", "dense layers only" (dual-phase phase 2) or "head only" (linear probe).</param>
/// <param name="TrainableParameters">Parameters that receive gradients.</param>
/// <param name="SamplesPerTrainableParameter">Training samples divided by <paramref name="TrainableParameters"/>.</param>
public sealed record FreezeChoice(string Name, long TrainableParameters, double SamplesPerTrainableParameter);
