namespace Xai4Mri.ML.Training;

/// <summary>One phase of a training run: which layers learn, for at most how many epochs, at which learning rate.</summary>
/// <param name="Number">1-based phase number.</param>
/// <param name="Name">What the phase trains ("all layers", "dense layers only", "head only").</param>
/// <param name="Epochs">Epochs at most (early stopping may end the phase sooner).</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Trainable">Per layer of the network: whether its weights learn.</param>
internal sealed record TrainingPhase(int Number, string Name, int Epochs, double LearningRate, bool[] Trainable);
