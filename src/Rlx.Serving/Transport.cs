namespace Rlx.Serving;

/// <summary>Which protocol a request came over.</summary>
internal enum Transport
{
    /// <summary>The HTTP JSON API.</summary>
    Http,

    /// <summary>The binary policy-client protocol.</summary>
    Binary,
}
