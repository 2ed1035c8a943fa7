function card = haresnet_model_card(model)
%HARESNET_MODEL_CARD The model card of a loaded model: which weights, how made, how good.
%   CARD = HARESNET_MODEL_CARD(MODEL) returns the card of MODEL's weights as a struct
%   (jsondecode of the JSON the library gives, the schema of the .json files in
%   plugin/weights): name (e.g. 'rhythm-5s-all'), task, weight_set, labels, preprocess,
%   network, postprocess (smoothing_half_life_seconds: the weights' own half-life),
%   training (provenance; training.command is the exact command that made the weights)
%   and metrics (measured results, each with the command that produced it).
len = libpointer('uint64Ptr', 0);
status = calllib('haresnet', 'haresnet_model_card_json', model.handle, [], uint64(0), len);
if status ~= 0 && status ~= 3  % 3: HARESNET_STATUS_BUFFER_TOO_SMALL, the size query's answer
    haresnet_check(status);
end
cap = double(len.Value) + 1;
buf = libpointer('int8Ptr', zeros(1, cap, 'int8'));
haresnet_check(calllib('haresnet', 'haresnet_model_card_json', model.handle, buf, uint64(cap), len));
card = jsondecode(haresnet_utf8(buf.Value(1:double(len.Value))));
end
