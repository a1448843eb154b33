// Shared by the examples that print progress (linked into their projects; see their .csproj).

/// <summary>
/// Reports on the calling thread, in order. (<see cref="Progress{T}"/> posts each report to the thread pool in a
/// console app, so lines can arrive late and out of order.)
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
