//! HS codes: the chapter → heading → subheading path of a code.


/// The HS chapters and headings our catalog uses, for the path shown to
/// logistics. The full nomenclature is imported by `tradewind lists`.
pub fn hs_path(code: &str) -> Option<String> {
    let chapter = code.get(0..2)?;
    let heading = code.get(0..4)?;
    let ch = match chapter {
        "84" => "Chapter 84: Nuclear reactors, boilers, machinery and mechanical appliances",
        "85" => "Chapter 85: Electrical machinery and equipment and parts thereof",
        "87" => "Chapter 87: Vehicles other than railway or tramway rolling stock",
        "90" => "Chapter 90: Optical, measuring, checking, precision instruments",
        "94" => "Chapter 94: Furniture; luminaires and lighting fittings",
        _ => return Some(format!("Chapter {chapter}")),
    };
    let hd = match heading {
        "8501" => "8501: Electric motors and generators",
        "8504" => "8504: Electrical transformers, static converters (inverters, chargers)",
        "8507" => "8507: Electric accumulators",
        "8512" => "8512: Electrical lighting or signalling equipment for cycles or motor vehicles",
        "8536" => "8536: Electrical apparatus for switching or protecting circuits (≤ 1,000 V)",
        "8537" => "8537: Boards, panels, consoles for electric control",
        "8539" => "8539: Electric filament or discharge lamps; LED light sources",
        "8541" => "8541: Semiconductor devices; photovoltaic cells",
        "8543" => "8543: Electrical machines and apparatus n.e.s.",
        "8544" => "8544: Insulated wire and cable",
        "8711" => "8711: Motorcycles and cycles fitted with an auxiliary motor",
        "8714" => "8714: Parts and accessories of vehicles of headings 8711 to 8713",
        "9405" => "9405: Luminaires and lighting fittings",
        _ => "",
    };
    Some(if hd.is_empty() { format!("{ch} > {heading}") } else { format!("{ch} > {hd} > {code}") })
}

