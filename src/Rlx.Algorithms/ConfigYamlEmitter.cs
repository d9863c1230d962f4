using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Rlx.Algorithms;

/// <summary>
/// How <c>config.yaml</c> is spelt: one top-level key per line, nested mappings and lists in flow style
/// (<c>hiddens: [64, 64]</c>), <c>null</c> written out, and infinities and NaN as .NET parses them back.
/// </summary>
internal sealed class ConfigYamlEmitter(IEventEmitter next) : ChainedEventEmitter(next)
{
    private int _mappingDepth;

    public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
    {
        if (eventInfo.Source.Value is null)
        {
            eventInfo.RenderedValue = "null";
        }
        else if (eventInfo.Source.Value is double d && !double.IsFinite(d))
        {
            // YAML's .inf and .nan are not numbers to double.Parse, which reads the config back.
            eventInfo.RenderedValue = d.ToString(CultureInfo.InvariantCulture);
        }

        base.Emit(eventInfo, emitter);
    }

    public override void Emit(MappingStartEventInfo eventInfo, IEmitter emitter)
    {
        if (_mappingDepth++ > 0)
        {
            eventInfo.Style = MappingStyle.Flow;
        }

        base.Emit(eventInfo, emitter);
    }

    public override void Emit(MappingEndEventInfo eventInfo, IEmitter emitter)
    {
        _mappingDepth--;
        base.Emit(eventInfo, emitter);
    }

    public override void Emit(SequenceStartEventInfo eventInfo, IEmitter emitter)
    {
        eventInfo.Style = SequenceStyle.Flow;
        base.Emit(eventInfo, emitter);
    }
}
