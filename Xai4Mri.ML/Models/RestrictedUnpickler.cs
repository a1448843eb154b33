using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Xai4Mri.ML.Models;

/// <summary>
/// A pickle reader that understands only what <c>torch.save(state_dict)</c> writes: containers, numbers, strings, and
/// calls to an allow-list of PyTorch functions that it interprets itself. Python's unpickler imports and calls any
/// global a file names (<c>os.system</c>, <c>builtins.eval</c>, …); this one never runs anything, and rejects every
/// other global the moment the GLOBAL opcode names it, so a malicious file fails before any object is built.
/// Several pickles may follow each other in one buffer (PyTorch's legacy format): each <see cref="Load"/> reads one.
/// </summary>
internal sealed class RestrictedUnpickler
{
    /// <summary>A storage class such as <c>torch.FloatStorage</c>: element type name and byte size.</summary>
    internal sealed record StorageType(string Name, TorchSharp.torch.ScalarType DType, int ElementSize);

    /// <summary>The raw bytes of one storage, filled in when the format has read them.</summary>
    internal sealed class Storage(string key, StorageType type, long count)
    {
        /// <summary>The storage's key (zip: file name under data/; legacy: the key listed after the pickle).</summary>
        public string Key { get; } = key;

        /// <summary>Element type.</summary>
        public StorageType Type { get; } = type;

        /// <summary>Number of elements.</summary>
        public long Count { get; } = count;

        /// <summary>Little-endian element bytes; null until read.</summary>
        public byte[]? Data { get; set; }
    }

    /// <summary>What <c>torch._utils._rebuild_tensor_v2</c> would build: a strided view of a storage.</summary>
    internal sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>A Python dict (insertion-ordered, like <c>OrderedDict</c>); keys are strings or numbers.</summary>
    internal sealed class Dict : OrderedDictionary<object, object?>;

    /// <summary>A global the allow-list accepts; REDUCE interprets it by name.</summary>
    private sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private static readonly Dictionary<string, StorageType> StorageTypes = new[]
    {
        new StorageType("FloatStorage", TorchSharp.torch.ScalarType.Float32, 4),
        new StorageType("DoubleStorage", TorchSharp.torch.ScalarType.Float64, 8),
        new StorageType("HalfStorage", TorchSharp.torch.ScalarType.Float16, 2),
        new StorageType("BFloat16Storage", TorchSharp.torch.ScalarType.BFloat16, 2),
        new StorageType("LongStorage", TorchSharp.torch.ScalarType.Int64, 8),
        new StorageType("IntStorage", TorchSharp.torch.ScalarType.Int32, 4),
        new StorageType("ShortStorage", TorchSharp.torch.ScalarType.Int16, 2),
        new StorageType("CharStorage", TorchSharp.torch.ScalarType.Int8, 1),
        new StorageType("ByteStorage", TorchSharp.torch.ScalarType.Byte, 1),
        new StorageType("BoolStorage", TorchSharp.torch.ScalarType.Bool, 1),
    }.ToDictionary(t => t.Name);

    // The callables a state dict needs; everything else (including harmless-looking builtins) is refused because
    // a state dict never needs it and each extra entry would widen what a crafted file can reach.
    private static readonly HashSet<string> Callables =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
    ];

    private readonly string _file;
    private readonly byte[] _data;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];

    /// <summary>Reads pickles from <paramref name="data"/> starting at <paramref name="start"/>.</summary>
    public RestrictedUnpickler(string file, byte[] data, int start = 0)
    {
        _file = file;
        _data = data;
        Position = start;
    }

    /// <summary>Where the next pickle (or, after the last one, the trailing data) starts.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// Turns a persistent id (the tuple torch.save writes in place of each storage) into a <see cref="Storage"/>;
    /// null rejects persistent ids.
    /// </summary>
    public Func<object?[], StorageType, Storage>? PersistentLoad { get; set; }

    /// <summary>The storage class a persistent id names, or a <see cref="ModelFormatException"/>.</summary>
    public StorageType StorageTypeOf(object? value) =>
        value is Global { Module: "torch" } g && StorageTypes.TryGetValue(g.Name, out var type)
            ? type
            : throw Fail($"a storage reference names {Describe(value)} instead of a torch.*Storage class");

    /// <summary>Reads one pickle, up to and including its STOP opcode.</summary>
    /// <exception cref="ModelFormatException">Corrupt or truncated data, an unsupported opcode, or a forbidden global.</exception>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            int at = Position;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    if (ReadByte() > 5)
                    {
                        throw Fail($"pickle protocol above 5 at byte {at}");
                    }
                    break;
                case 0x95: // FRAME: a length hint only
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw Fail($"corrupt pickle: {_stack.Count} values left at STOP (byte {at})");
                    }
                    return Pop();
                case (byte)'(':
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case 0x8a: // LONG1
                    Push(Integer(Take(ReadByte())));
                    break;
                case 0x8b: // LONG4
                    Push(Integer(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)), at))));
                    break;
                case (byte)'G': // BINFLOAT, big-endian
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(Utf8(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)), at))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Utf8(Take(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(Utf8(Take(Length(BinaryPrimitives.ReadInt64LittleEndian(Take(8)), at))));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str)
                    Push(Encoding.Latin1.GetString(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)), at))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(Take(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)), at)).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(Take(ReadByte()).ToArray());
                    break;
                case (byte)')':
                    Push(Array.Empty<object?>());
                    break;
                case (byte)'t':
                    Push(PopMark().ToArray());
                    break;
                case 0x85:
                    Push(new[] { Pop() });
                    break;
                case 0x86:
                {
                    var b = Pop();
                    Push(new[] { Pop(), b });
                    break;
                }
                case 0x87:
                {
                    var c = Pop();
                    var b = Pop();
                    Push(new[] { Pop(), b, c });
                    break;
                }
                case (byte)']':
                    Push(new List<object?>());
                    break;
                case (byte)'l':
                    Push(PopMark());
                    break;
                case (byte)'a': // APPEND
                {
                    var item = Pop();
                    ListAt(Peek(), at).Add(item);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    ListAt(Peek(), at).AddRange(items);
                    break;
                }
                case (byte)'}':
                    Push(new Dict());
                    break;
                case (byte)'d':
                {
                    var dict = new Dict();
                    SetItems(dict, PopMark(), at);
                    Push(dict);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(DictAt(Peek(), at), [key, value], at);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    SetItems(DictAt(Peek(), at), items, at);
                    break;
                }
                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    string module = Line(at), name = Line(at);
                    Push(Resolve(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                    {
                        throw Fail($"corrupt pickle: STACK_GLOBAL without two strings at byte {at}");
                    }
                    Push(Resolve(m, n));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callable = Pop();
                    Push(Call(callable, args as object?[] ?? throw Fail($"corrupt pickle: call arguments are not a tuple at byte {at}"), at));
                    break;
                }
                case (byte)'b': // BUILD: only the attributes PyTorch puts on a state dict (its _metadata)
                {
                    var state = Pop();
                    if (Peek() is not Dict || state is not (Dict or null))
                    {
                        throw Fail($"the pickle sets the state of {Describe(Peek())} (byte {at}); a state dict never does");
                    }
                    break;
                }
                case (byte)'Q': // BINPERSID
                {
                    var pid = Pop() as object?[] ?? throw Fail($"corrupt pickle: a persistent id that is not a tuple at byte {at}");
                    if (PersistentLoad is null || pid.Length < 2)
                    {
                        throw Fail($"unexpected storage reference at byte {at}");
                    }
                    Push(PersistentLoad(pid, StorageTypeOf(pid[1])));
                    break;
                }
                case (byte)'q': // BINPUT
                    _memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'h': // BINGET
                    Push(Memo(ReadByte(), at));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at));
                    break;
                default:
                    throw Fail($"unsupported pickle opcode 0x{op:x2} at byte {at} (not something torch.save writes for a state dict)");
            }
        }
    }

    private ModelFormatException Fail(string problem) => new(_file, problem);

    private object Resolve(string module, string name)
    {
        string full = $"{module}.{name}";
        if (Callables.Contains(full) || (module == "torch" && StorageTypes.ContainsKey(name)))
        {
            return new Global(module, name);
        }
        string hint = module.StartsWith("torch.nn", StringComparison.Ordinal) || module.StartsWith("__main__", StringComparison.Ordinal) || module.StartsWith("__torch__", StringComparison.Ordinal)
            ? "; the file seems to hold a whole pickled model, save model.state_dict() instead"
            : "";
        throw Fail($"the pickle refers to the global '{full}', which a state dict never needs; refusing to load it because unpickling it could run code from the file{hint}");
    }

    private object? Call(object? callable, object?[] args, int at)
    {
        if (callable is not Global g)
        {
            throw Fail($"the pickle calls {Describe(callable)} at byte {at}; only PyTorch's tensor and OrderedDict constructors are allowed");
        }
        switch (g.ToString())
        {
            case "collections.OrderedDict":
            {
                var dict = new Dict();
                if (args.Length == 1 && args[0] is List<object?> pairs)
                {
                    foreach (var pair in pairs)
                    {
                        SetItems(dict, pair as object?[] is [var k, var v] ? [k, v] : throw Fail($"corrupt pickle: OrderedDict item is not a pair at byte {at}"), at);
                    }
                }
                else if (args.Length != 0)
                {
                    throw Fail($"corrupt pickle: OrderedDict called with {args.Length} arguments at byte {at}");
                }
                return dict;
            }
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                // (storage, storage_offset, size, stride, …): requires_grad, backward hooks and metadata do not matter for weights.
                if (args.Length < 4 || args[0] is not Storage storage)
                {
                    throw Fail($"corrupt pickle: {g} called without a storage at byte {at}");
                }
                return new TensorView(storage, Int(args[1], "storage offset"), Longs(args[2], "size"), Longs(args[3], "stride"));
            case "torch._utils._rebuild_parameter":
                return args.Length >= 1 && args[0] is TensorView view ? view : throw Fail($"corrupt pickle: {g} called without a tensor at byte {at}");
            default:
                throw Fail($"the pickle calls '{g}' at byte {at}, which is a storage class, not a function");
        }
    }

    private long Int(object? value, string what) => value is long l ? l : throw Fail($"corrupt pickle: tensor {what} is {Describe(value)}, not an integer");

    private long[] Longs(object? value, string what) =>
        value is object?[] items ? [.. items.Select(i => Int(i, what))] : throw Fail($"corrupt pickle: tensor {what} is {Describe(value)}, not a tuple");

    private void SetItems(Dict dict, List<object?> items, int at)
    {
        if (items.Count % 2 != 0)
        {
            throw Fail($"corrupt pickle: odd number of dict items at byte {at}");
        }
        for (int i = 0; i < items.Count; i += 2)
        {
            if (items[i] is not (string or long or double or bool or BigInteger))
            {
                throw Fail($"dict key {Describe(items[i])} at byte {at} is not a string or number");
            }
            dict[items[i]!] = items[i + 1];
        }
    }

    private List<object?> ListAt(object? value, int at) => value as List<object?> ?? throw Fail($"corrupt pickle: APPEND to {Describe(value)} at byte {at}");

    private Dict DictAt(object? value, int at) => value as Dict ?? throw Fail($"corrupt pickle: SETITEM on {Describe(value)} at byte {at}");

    private object? Memo(long index, int at) => _memo.TryGetValue(index, out var value) ? value : throw Fail($"corrupt pickle: memo entry {index} read before it was written (byte {at})");

    private static object Integer(ReadOnlySpan<byte> bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private int Length(long length, int at) =>
        length >= 0 && length <= _data.Length - Position ? (int)length : throw Fail($"truncated or corrupt pickle: a value of {length} bytes at byte {at} runs past the end of the data");

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"corrupt pickle: invalid UTF-8 text before byte {Position}");
        }
    }

    private string Line(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', Position);
        if (end < 0 || end - Position > 1000)
        {
            throw Fail($"truncated or corrupt pickle: unterminated global name at byte {at}");
        }
        string line = Encoding.ASCII.GetString(_data, Position, end - Position);
        Position = end + 1;
        return line;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - Position)
        {
            throw Fail($"truncated: the pickle ends unexpectedly at byte {_data.Length}");
        }
        var span = new ReadOnlySpan<byte>(_data, Position, count);
        Position += count;
        return span;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > 0 && (_marks.Count == 0 || _marks.Peek() < _stack.Count) ? _stack[^1] : throw Fail($"corrupt pickle: empty stack before byte {Position}");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw Fail($"corrupt pickle: no mark before byte {Position}");
        }
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    /// <summary>A short description of a pickled value for error messages.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        Global g => $"'{g}'",
        string => "a string",
        long or BigInteger => "an integer",
        double => "a float",
        bool => "a boolean",
        object?[] => "a tuple",
        List<object?> => "a list",
        Dict => "a dict",
        TensorView => "a tensor",
        Storage => "a storage",
        _ => value.GetType().Name,
    };
}
