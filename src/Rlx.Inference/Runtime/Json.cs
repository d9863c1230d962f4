using System.Globalization;
using System.Text;

namespace Rlx.Inference.Runtime;

/// <summary>
/// A small JSON reader for the metadata Rlx writes (netstandard2.1 has no System.Text.Json): objects become
/// <see cref="Dictionary{TKey, TValue}"/>, arrays <see cref="List{T}"/>, numbers <see cref="double"/>, and
/// strings, booleans and null their .NET counterparts.
/// </summary>
internal sealed class Json
{
    private readonly string _text;
    private int _at;

    private Json(string text) => _text = text;

    /// <summary>Parses one JSON value; throws <see cref="FormatException"/> naming the offset of the first error.</summary>
    public static object? Parse(string text)
    {
        var json = new Json(text);
        object? value = json.Value();
        json.Space();
        return json._at == text.Length ? value : throw json.Error("text after the value");
    }

    private object? Value()
    {
        Space();
        if (_at >= _text.Length)
        {
            throw Error("end of text where a value was expected");
        }

        char c = _text[_at];
        switch (c)
        {
            case '{':
                return Object();
            case '[':
                return Array();
            case '"':
                return String();
            case 't':
                return Word("true", true);
            case 'f':
                return Word("false", false);
            case 'n':
                return Word("null", null);
            default:
                return c == '-' || (c >= '0' && c <= '9') ? Number() : throw Error($"unexpected '{c}'");
        }
    }

    private Dictionary<string, object?> Object()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        _at++;
        Space();
        if (Peek('}'))
        {
            return result;
        }

        do
        {
            Space();
            if (_at >= _text.Length || _text[_at] != '"')
            {
                throw Error("an object key must be a string");
            }

            string key = String();
            Space();
            Expect(':');
            result[key] = Value();
            Space();
        }
        while (Peek(','));
        Expect('}');
        return result;
    }

    private List<object?> Array()
    {
        var result = new List<object?>();
        _at++;
        Space();
        if (Peek(']'))
        {
            return result;
        }

        do
        {
            result.Add(Value());
            Space();
        }
        while (Peek(','));
        Expect(']');
        return result;
    }

    private string String()
    {
        var sb = new StringBuilder();
        _at++;
        while (_at < _text.Length)
        {
            char c = _text[_at++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_at >= _text.Length)
            {
                break;
            }

            char e = _text[_at++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (_at + 4 > _text.Length || !int.TryParse(_text.AsSpan(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                    {
                        throw Error("a bad \\u escape");
                    }

                    sb.Append((char)code);
                    _at += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        throw Error("an unterminated string");
    }

    private double Number()
    {
        int start = _at;
        while (_at < _text.Length && "+-0123456789.eE".Contains(_text[_at]))
        {
            _at++;
        }

        string s = _text.Substring(start, _at - start);
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw Error($"a bad number '{s}'");
    }

    private object? Word(string word, object? value)
    {
        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0)
        {
            throw Error($"unexpected '{_text[_at]}'");
        }

        _at += word.Length;
        return value;
    }

    private void Space()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private bool Peek(char c)
    {
        if (_at < _text.Length && _text[_at] == c)
        {
            _at++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!Peek(c))
        {
            throw Error($"'{c}' expected");
        }
    }

    private FormatException Error(string what) => new($"invalid JSON at character {_at}: {what}.");
}
